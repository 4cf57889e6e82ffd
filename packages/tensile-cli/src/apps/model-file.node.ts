/**
 * What a `--model` path holds, read from its safetensors header before any weights are loaded, so
 * every application's commands take the folder a `train --out` wrote as well as a file, and refuse
 * another application's model by naming what it is. Imports only `tensile/int8`, so the int8
 * inference path stays light.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ModelFileError } from 'tensile/int8';
import { FACE_EMBEDDER_KEY } from './faces/model-kinds.js';

/** The applications whose commands take models, as the command line names them. */
export type ModelOwner = 'catsdogs' | 'mnist' | 'ids' | 'faces';

/** What each application's models are called in messages, and which command writes them. */
const OWNERS: Record<ModelOwner, string> = {
  catsdogs: 'a cats-vs-dogs classifier (written by tensile catsdogs train or tensile quantize)',
  mnist: 'an MNIST digit classifier (written by tensile train mnist)',
  ids: 'an intrusion detector (written by tensile ids train)',
  faces: 'a face embedder (written by tensile faces train-embedder)',
};

/** The model file in a folder, in order of preference: an ensemble's manifest, then the saveModel layout's file. */
const FOLDER_MODELS = ['model.ensemble.json', 'model.safetensors'];

/** The model file a `--model` path names: a file as given; a folder's model.ensemble.json, else its model.safetensors. */
export async function resolveModelPath(target: string): Promise<string> {
  const info = await stat(target).catch(() => null);
  if (info === null) throw new ModelFileError(target, 'cannot be read: it does not exist');
  if (!info.isDirectory()) return target;
  for (const name of FOLDER_MODELS) {
    const file = path.join(target, name);
    if ((await stat(file).catch(() => null))?.isFile()) return file;
  }
  const models = (await readdir(target)).filter((name) => name.endsWith('.safetensors')).sort();
  throw new ModelFileError(target, `is a folder without ${FOLDER_MODELS.join(' or ')}${models.length > 0 ? `; pass one of its model files: ${models.join(', ')}` : ' and holds no model file'}`);
}

/** The safetensors header's metadata, or null when the bytes are not a readable safetensors file (the loader then names the fault). */
function headerMetadata(bytes: Uint8Array): Record<string, string> | null {
  if (bytes.length < 8) return null;
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (length > bytes.length - 8) return null;
  try {
    const header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + length))) as { __metadata__?: Record<string, string> };
    return header.__metadata__ ?? {};
  } catch {
    return null;
  }
}

/** A model's owner, known from its name (the applications name their networks), and a description of it. */
function describeNamed(kind: string, name: string, inputShape: unknown): { owner: ModelOwner | null; description: string } {
  const owner = name === 'cats_dogs_cnn' ? 'catsdogs' : name.startsWith('mnist_cnn') ? 'mnist' : null;
  const what = `${kind} '${name}' with input ${JSON.stringify(inputShape)}`;
  return { owner, description: owner === null ? what : `${OWNERS[owner]}: ${what}` };
}

/** Which application wrote a model file's bytes, and what the file is in words; null for bytes that are no readable safetensors file. */
export function identifyModelBytes(bytes: Uint8Array): { readonly owner: ModelOwner | null; readonly description: string } | null {
  const metadata = headerMetadata(bytes);
  if (metadata === null) return null;
  if (metadata['tensile.ids'] !== undefined) return { owner: 'ids', description: OWNERS.ids };
  if (metadata[FACE_EMBEDDER_KEY] !== undefined) return { owner: 'faces', description: OWNERS.faces };
  if (metadata['tensile.quantized'] !== undefined) {
    const { name, inputShape } = JSON.parse(metadata['tensile.quantized']) as { name: string; inputShape: unknown };
    return describeNamed('an int8 model', name, inputShape);
  }
  if (metadata['tensile.model'] !== undefined) {
    const { className, config } = JSON.parse(metadata['tensile.model']) as { className: string; config: { name: string; inputShape?: unknown } };
    return describeNamed(`a ${className} model`, config.name, config.inputShape ?? null);
  }
  return { owner: null, description: `a safetensors file without Tensile model metadata (keys: ${Object.keys(metadata).join(', ') || 'none'})` };
}

/** Throws a ModelFileError naming what `file` is unless `owner`'s commands wrote it; unreadable bytes are left to the loader, which names the fault. */
export function requireOwnModel(file: string, bytes: Uint8Array, owner: ModelOwner): void {
  const identity = identifyModelBytes(bytes);
  if (identity === null || identity.owner === owner) return;
  throw new ModelFileError(file, `is ${identity.description}, not ${OWNERS[owner]}`);
}

/** The bytes of the model file a `--model` path names (see resolveModelPath); an unreadable file is a ModelFileError naming it. */
export async function readModelFile(target: string): Promise<{ readonly file: string; readonly bytes: Uint8Array }> {
  const file = await resolveModelPath(target);
  try {
    return { file, bytes: new Uint8Array(await readFile(file)) };
  } catch (cause) {
    throw new ModelFileError(file, `cannot be read (${(cause as Error).message})`);
  }
}

/** The bytes of the model file a `--model` path names, refused unless `owner`'s commands wrote it. */
export async function readOwnModel(target: string, owner: ModelOwner): Promise<{ readonly file: string; readonly bytes: Uint8Array }> {
  const model = await readModelFile(target);
  requireOwnModel(model.file, model.bytes, owner);
  return model;
}
