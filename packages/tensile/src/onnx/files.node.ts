/** ONNX files on disk: written atomically, read with errors naming the file. */
import { writeFileAtomic } from '../saving/files.node.js';
import type { Model } from '../nn/model.js';
import type { SymbolicTensor } from '../nn/symbolic.js';
import { encodeOnnx, type ExportOnnxOptions } from './export.js';

/** Writes `model` as an ONNX file for inference (see `encodeOnnx`); nothing is half-written on failure. */
export async function exportOnnx(model: Model<SymbolicTensor | readonly SymbolicTensor[]>, file: string, options: ExportOnnxOptions = {}): Promise<void> {
  await writeFileAtomic(file, encodeOnnx(model, options));
}
