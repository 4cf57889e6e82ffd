/** Keras-style training: losses, metrics, callbacks, and Model's compile/fit/evaluate/predict with their options. */
import './model-methods.js';

export {
  Loss, CategoricalCrossentropy, SparseCategoricalCrossentropy, BinaryCrossentropy, MeanSquaredError, MeanAbsoluteError, Huber, Hinge, KLDivergence,
  CosineSimilarity, FunctionLoss, lossByName, lossFromConfig, type LossName, type LossConfig, type CrossentropyArgs,
} from './losses.js';
export { Metric, Mean, type MetricConfig } from './metrics/metric.js';
export { Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy } from './metrics/accuracy.js';
export { ConfusionMatrix, Precision, Recall, F1Score, type ConfusionArgs } from './metrics/classification.js';
export { AUC, type AUCArgs } from './metrics/auc.js';
export { metricByName, metricFromConfig, type MetricName } from './metrics/registry.js';
export { Callback, type Logs, type TrainingParams } from './callbacks/callback.js';
export { History } from './callbacks/history.js';
export { EarlyStopping, type EarlyStoppingOptions } from './callbacks/early-stopping.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './callbacks/reduce-lr-on-plateau.js';
export { TerminateOnNaN } from './callbacks/terminate-on-nan.js';
export { EpochLogger, useProgressReporter, formatLogs } from './callbacks/progress.js';
export type { CompileOptions, CompiledModel } from './compile.js';
export { jitGraphs } from './compiled-steps.js';
export type { Batch, FitData, FitOptions, EvaluateOptions, PredictOptions } from './fit.js';
export { TrainingError, NonFiniteLossError } from './errors.js';
