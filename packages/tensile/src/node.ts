/**
 * `tensile/node`: everything in `tensile` plus what needs Node — files, the data root and cache,
 * dataset loaders and model files.
 */
export * from './index.js';
export * from './data/index.node.js';
export * from './saving/index.node.js';
export * from './train/index.node.js';
export * from './onnx/index.js';
export * from './onnx/index.node.js';
