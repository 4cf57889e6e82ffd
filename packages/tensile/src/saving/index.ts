/** Browser-safe model serialisation: safetensors, architecture configs, whole models as bytes. */
export { ModelFileError } from './errors.js';
export { encodeSafetensors, decodeSafetensors, type DecodedSafetensors } from './safetensors.js';
export type { SafetensorsReadOptions } from './safetensors-format.js';
export { registerLayer, serializeLayer, deserializeLayer, modelToConfig, modelFromConfig, ARCHITECTURE_VERSION, type ArchitectureConfig, type LayerSpec } from './architecture.js';
export { modelToBytes, modelFromBytes, weightsToBytes, loadWeightsFromBytes, type SaveModelOptions, type LoadModelOptions, type LoadWeightsOptions, type TrainingState } from './model-file.js';
export { decodeTfjsWeights, parseTfjsWeightsManifest, tfjsStoredBytes, type TfjsWeightsManifest, type TfjsWeightGroup, type TfjsWeightEntry, type TfjsWeightDType, type TfjsQuantizationDType } from './tfjs-weights.js';
export { encodeTfjsLayersModel, decodeTfjsLayersModel, TFJS_SHARD, type TfjsLayersModelJson } from './tfjs-layers.js';
export { toPytorchStateDict, loadPytorchStateDict, encodePytorchSafetensors, loadPytorchSafetensors } from './pytorch-weights.js';
