/** PyTorch-convention weight files on disk (see pytorch-weights.ts): written atomically, read with errors naming the file. */
import { readFile } from 'node:fs/promises';
import type { Model } from '../nn/model.js';
import type { SymbolicTensor } from '../nn/symbolic.js';
import { ModelFileError } from './errors.js';
import { writeFileAtomic } from './files.node.js';
import { encodePytorchSafetensors, loadPytorchSafetensors } from './pytorch-weights.js';

type AnyModel = Model<SymbolicTensor | readonly SymbolicTensor[]>;

/** Writes the model's weights under PyTorch's names and layouts as a safetensors file; nothing is half-written on failure. */
export async function savePytorchWeights(model: AnyModel, file: string): Promise<void> {
  await writeFileAtomic(file, encodePytorchSafetensors(model));
}

/** Loads a PyTorch-convention safetensors file into `model` (same architecture); errors name the file, tensor, layer and shapes. */
export async function loadPytorchWeights(model: AnyModel, file: string): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (e) {
    throw new ModelFileError(file, `cannot be read (${(e as Error).message})`);
  }
  loadPytorchSafetensors(model, bytes, file);
}
