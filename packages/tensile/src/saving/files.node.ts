/**
 * Model files on disk. A path ending in `.safetensors` is one self-contained file; any other path
 * is a directory holding `model.safetensors` (the same self-contained file) and `config.json` (a
 * readable copy of the architecture and training state). Every write is atomic: a temporary file
 * is written, flushed to disk and renamed over the target, so a process killed mid-save leaves the
 * previous file intact.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Model } from '../nn/model.js';
import type { Module } from '../nn/module.js';
import type { SymbolicTensor } from '../nn/symbolic.js';
import { ModelFileError } from './errors.js';
import { peekSafetensorsMetadata } from './safetensors-format.js';
import { type LoadModelOptions, type LoadWeightsOptions, loadWeightsFromBytes, MODEL_KEY, modelFromBytes, modelToBytes, type SaveModelOptions, TRAINING_KEY, weightsToBytes } from './model-file.js';

type AnyModel = Model<SymbolicTensor | readonly SymbolicTensor[]>;

const MODEL_FILE = 'model.safetensors';
const CONFIG_FILE = 'config.json';

/**
 * Writes `bytes` to `file` atomically: temp file in the same directory, fsync, rename, fsync the
 * directory. Temp files that killed writers of the same target left behind are removed first.
 */
export async function writeFileAtomic(file: string, bytes: Uint8Array): Promise<void> {
  await removeStaleTemps(file);
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await fs.open(temp, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (e) {
    await handle.close();
    await fs.rm(temp, { force: true });
    throw e;
  }
  await handle.close();
  try {
    await fs.rename(temp, file);
  } catch (e) {
    await fs.rm(temp, { force: true });
    throw e;
  }
  // Make the rename itself durable; some platforms cannot open directories, which is harmless.
  const dir = await fs.open(path.dirname(file), 'r').catch(() => null);
  if (dir) await dir.sync().catch(() => undefined).finally(() => dir.close());
}

/** Temp files of `file` whose writing process no longer exists (a live one may still be writing). */
async function removeStaleTemps(file: string): Promise<void> {
  const prefix = `.${path.basename(file)}.`;
  const names = await fs.readdir(path.dirname(file)).catch(() => []);
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const match = /^(\d+)\.[0-9a-f]{8}\.tmp$/.exec(name.slice(prefix.length));
    if (match && !processExists(Number(match[1]))) await fs.rm(path.join(path.dirname(file), name), { force: true });
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0 only checks
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/** An atomic write whose failure (missing folder, full disk) names the target, not the temp file. */
async function writeModelFile(file: string, bytes: Uint8Array): Promise<void> {
  try {
    await writeFileAtomic(file, bytes);
  } catch (e) {
    throw new ModelFileError(file, `cannot be written (${(e as Error).message})`);
  }
}

function isSingleFile(target: string): boolean {
  return target.endsWith('.safetensors');
}

/** Saves architecture, weights and (by default) optimizer state; see the file comment for the layout. */
export async function saveModel(model: AnyModel, target: string, options: SaveModelOptions = {}): Promise<void> {
  const bytes = modelToBytes(model, options);
  if (isSingleFile(target)) {
    await writeModelFile(target, bytes);
    return;
  }
  await fs.mkdir(target, { recursive: true });
  await writeModelFile(path.join(target, MODEL_FILE), bytes);
  const metadata = peekSafetensorsMetadata(bytes)!;
  const readable = { architecture: JSON.parse(metadata[MODEL_KEY]!) as unknown, training: JSON.parse(metadata[TRAINING_KEY]!) as unknown };
  await writeModelFile(path.join(target, CONFIG_FILE), new TextEncoder().encode(JSON.stringify(readable, null, 2)));
}

async function readModelBytes(target: string): Promise<[Uint8Array, string]> {
  let stat;
  try {
    stat = await fs.stat(target);
  } catch {
    throw new ModelFileError(target, 'does not exist');
  }
  const file = stat.isDirectory() ? path.join(target, MODEL_FILE) : target;
  try {
    return [new Uint8Array(await fs.readFile(file)), file];
  } catch (e) {
    throw new ModelFileError(file, `cannot be read (${(e as Error).message})`);
  }
}

/** Loads a model saved by `saveModel`; truncated, corrupt or foreign files raise a ModelFileError naming the file. */
export async function loadModel(target: string, options: LoadModelOptions = {}): Promise<AnyModel> {
  const [bytes, file] = await readModelBytes(target);
  return modelFromBytes(bytes, file, options);
}

/** Saves a module's parameters and buffers (any Module, e.g. a PyTorch-style custom one) as safetensors. */
export async function saveWeights(module: Module, file: string): Promise<void> {
  await writeModelFile(file, weightsToBytes(module));
}

export async function loadWeights(module: Module, file: string, options: LoadWeightsOptions = {}): Promise<void> {
  const [bytes, resolved] = await readModelBytes(file);
  loadWeightsFromBytes(module, bytes, resolved, options);
}
