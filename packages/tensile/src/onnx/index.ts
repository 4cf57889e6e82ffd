/** Browser-safe ONNX interchange: models to and from ONNX bytes. */
export { encodeOnnx, DEFAULT_OPSET, type ExportOnnxOptions } from './export.js';
export { encodeInt8Onnx } from './export-int8.js';
export { decodeOnnx, OnnxModel, IMPORTED_OPS, type OnnxInput } from './import.js';
