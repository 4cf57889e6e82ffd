/** Node-only ONNX files. */
export { exportInt8Onnx, exportOnnx, loadOnnx } from './files.node.js';
