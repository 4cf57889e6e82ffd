/** TF.js layers models on disk: a folder with model.json and its one weight shard (see `encodeTfjsLayersModel`). */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Model } from '../nn/model.js';
import type { Sequential } from '../nn/sequential.js';
import type { SymbolicTensor } from '../nn/symbolic.js';
import { writeFileAtomic } from './files.node.js';
import { decodeTfjsLayersModel, encodeTfjsLayersModel, TFJS_SHARD } from './tfjs-layers.js';
import { readTfjsFiles } from './tfjs-weights.node.js';

/** Writes `dir/model.json` and `dir/group1-shard1of1.bin` (each atomically; the shard first), for `tf.loadLayersModel`. */
export async function saveTfjsLayersModel(model: Model<SymbolicTensor | readonly SymbolicTensor[]>, dir: string): Promise<void> {
  const { modelJson, weights } = encodeTfjsLayersModel(model);
  await fs.mkdir(dir, { recursive: true });
  await writeFileAtomic(path.join(dir, TFJS_SHARD), weights);
  await writeFileAtomic(path.join(dir, 'model.json'), new TextEncoder().encode(JSON.stringify(modelJson)));
}

/** Reads a TF.js layers `model.json` (a Sequential model) and the shards it lists, from its folder. */
export async function loadTfjsLayersModel(modelJsonFile: string): Promise<Sequential> {
  const { json, shards } = await readTfjsFiles(modelJsonFile);
  return decodeTfjsLayersModel(json, shards, modelJsonFile);
}
