/** Node-only ONNX files. */
export { exportOnnx } from './files.node.js';
