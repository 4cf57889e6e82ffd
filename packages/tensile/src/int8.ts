/**
 * `tensile/int8`: the int8 inference runtime alone — a quantised model file read and run on the int8
 * WebAssembly kernels without loading the float backends, layers or training code (the footprint
 * a single-board device pays). Quantising a model needs the full library: `quantizeModel` in `tensile`.
 */
import './backends/wasm/int8.js';

export * from './errors.js';
export { ModelFileError } from './saving/errors.js';
export { Int8Runtime } from './quantize/int8-runtime.js';
export { isQuantizedModelFile, quantizedModelFromBytes } from './quantize/model-file.js';
export type { QuantizedConv, QuantizedFlatten, QuantizedLayer, QuantizedMaxPool, QuantizedModel } from './quantize/quantized-model.js';
