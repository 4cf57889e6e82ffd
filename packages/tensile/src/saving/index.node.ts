/** Node-only model files: atomic saves, loading with validation, checkpoints during training. */
export { saveModel, loadModel, saveWeights, loadWeights, writeFileAtomic } from './files.node.js';
export { ModelCheckpoint, type ModelCheckpointOptions } from './model-checkpoint.node.js';
export { loadTfjsWeights } from './tfjs-weights.node.js';
export { saveTfjsLayersModel, loadTfjsLayersModel } from './tfjs-layers.node.js';
export { savePytorchWeights, loadPytorchWeights } from './pytorch-files.node.js';
