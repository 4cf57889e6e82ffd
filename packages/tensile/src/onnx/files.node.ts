/** ONNX files on disk: written atomically, read with errors naming the file. */
import { readFile } from 'node:fs/promises';
import type { Model } from '../nn/model.js';
import type { SymbolicTensor } from '../nn/symbolic.js';
import { ModelFileError } from '../saving/errors.js';
import { writeFileAtomic } from '../saving/files.node.js';
import type { QuantizedModel } from '../quantize/quantized-model.js';
import { encodeOnnx, type ExportOnnxOptions } from './export.js';
import { encodeInt8Onnx } from './export-int8.js';
import { decodeOnnx, OnnxModel } from './import.js';
import { ValueError } from '../errors.js';

/**
 * Writes `model` as an ONNX file for inference (see `encodeOnnx`), or an imported (perhaps fine-tuned) ONNX
 * model with its current weights (`OnnxModel.encode`, the file's own opset); nothing is half-written on failure.
 */
export async function exportOnnx(model: Model<SymbolicTensor | readonly SymbolicTensor[]> | OnnxModel, file: string, options: ExportOnnxOptions = {}): Promise<void> {
  if (model instanceof OnnxModel && options.opset !== undefined) throw new ValueError(`onnx export: an imported model keeps its file's opset; opset ${options.opset} cannot be given`);
  await writeFileAtomic(file, model instanceof OnnxModel ? model.encode() : encodeOnnx(model, options));
}

/** Writes an int8 model as an ONNX file that computes its int8 runtime's logits (see `encodeInt8Onnx`), atomically. */
export async function exportInt8Onnx(model: QuantizedModel, file: string, options: ExportOnnxOptions = {}): Promise<void> {
  await writeFileAtomic(file, encodeInt8Onnx(model, options));
}

/** Reads an ONNX file into a model Tensile runs (see `decodeOnnx`); errors name the file. */
export async function loadOnnx(file: string): Promise<OnnxModel> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (e) {
    throw new ModelFileError(file, `cannot be read (${(e as Error).message})`);
  }
  return decodeOnnx(bytes, file);
}
