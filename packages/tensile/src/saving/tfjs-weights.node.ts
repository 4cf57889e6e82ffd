/** Reads a TensorFlow.js weights manifest and its shards from disk (see `decodeTfjsWeights`). */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Tensor } from '../tensor/tensor.js';
import { ModelFileError } from './errors.js';
import { decodeTfjsWeights, parseTfjsWeightsManifest } from './tfjs-weights.js';

async function readOrFail(file: string, what: string): Promise<Uint8Array> {
  try {
    return await fs.readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ModelFileError(file, code === 'ENOENT' ? `${what} is missing` : `${what} cannot be read (${(e as Error).message})`);
  }
}

/** A TF.js `model.json` or weights manifest, parsed, with the shards it lists read from its folder. */
export async function readTfjsFiles(manifestFile: string): Promise<{ json: unknown; shards: Record<string, Uint8Array> }> {
  const text = new TextDecoder().decode(await readOrFail(manifestFile, 'the weights manifest'));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ModelFileError(manifestFile, `not valid JSON (${(e as Error).message})`);
  }
  const manifest = parseTfjsWeightsManifest(json, manifestFile);
  const dir = path.dirname(manifestFile);
  const shards: Record<string, Uint8Array> = {};
  for (const p of manifest.flatMap((g) => g.paths)) {
    shards[p] ??= await readOrFail(path.join(dir, p), `the weight shard listed in ${path.basename(manifestFile)}`);
  }
  return { json, shards };
}

/**
 * The named tensors of a TF.js `*-weights_manifest.json` (or `model.json`), with its shards read from the
 * manifest's folder.
 *
 *     const weights = await loadTfjsWeights('node_modules/@vladmandic/face-api/model/face_recognition_model-weights_manifest.json');
 */
export async function loadTfjsWeights(manifestFile: string): Promise<Record<string, Tensor>> {
  const { json, shards } = await readTfjsFiles(manifestFile);
  return decodeTfjsWeights(json, shards, manifestFile);
}
