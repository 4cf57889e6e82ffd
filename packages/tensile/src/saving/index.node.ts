/** Node-only model files: atomic saves, loading with validation. */
export { saveModel, loadModel, saveWeights, loadWeights, writeFileAtomic } from './files.node.js';
export { loadTfjsWeights } from './tfjs-weights.node.js';
