/** The intrusion-detection application (SWSNM on NSL-KDD) as a library, for `tensile/node`. */
export { IntrusionDetector, type DetectorConfig, type RecordScore, type ScoreStreamOptions, type StreamResult } from './detector.node.js';
export { FEATURE_COLUMNS, parseRecord, type ConnectionRecord } from './records.js';
export { trainIds, type TrainIdsOptions, type TrainIdsResult } from './train.node.js';
export { evaluateIds, type EvaluateIdsOptions, type EvaluateIdsResult } from './evaluate.node.js';
export { scoreIds, type ScoreIdsOptions, type ScoreIdsResult } from './score.node.js';
export { VARIANTS, type Variant } from './variants.js';
