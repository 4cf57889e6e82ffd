/**
 * `tensile/onnx`: ONNX interchange from bytes, browser-safe (`encodeOnnx`, `decodeOnnx`). An entry of
 * its own so that bundles of `tensile` do not carry protobuf.js and the ONNX schema; `tensile/node`
 * has these too, with `exportOnnx` and `loadOnnx` for files.
 */
export * from './onnx/index.js';
