/** Post-training int8 quantisation: scales, model conversion, the int8 file format, the WASM runtime. */
export { QuantizationError } from './errors.js';
export { affineParams, quantizePerChannel, quantizeValue, dequantizeValue, INT8_MIN, INT8_MAX, type AffineParams, type PerChannelWeights } from './scales.js';
export { outputShapeOf, type QuantizedModel, type QuantizedLayer, type QuantizedConv, type QuantizedMaxPool, type QuantizedFlatten } from './quantized-model.js';
export { quantizeModel, type QuantizeOptions } from './quantize-model.js';
export { quantizedModelToBytes, quantizedModelFromBytes, isQuantizedModelFile } from './model-file.js';
export { Int8Runtime } from './int8-runtime.js';
