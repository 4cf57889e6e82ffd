/** Browser-safe ONNX interchange: models to and from ONNX bytes. */
export { encodeOnnx, DEFAULT_OPSET, type ExportOnnxOptions } from './export.js';
export { decodeOnnx, OnnxModel, IMPORTED_OPS, type OnnxInput } from './import.js';
