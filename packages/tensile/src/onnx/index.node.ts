/** Node-only ONNX files. */
export { exportOnnx, loadOnnx } from './files.node.js';
