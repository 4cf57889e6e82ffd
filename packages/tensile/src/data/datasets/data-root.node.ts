/**
 * Where datasets live: an explicit `{root}` option, else the data root (`setDataRoot()`, else the
 * `TENSILE_DATA` variable), else the per-user cache (`TENSILE_CACHE`, else `$XDG_CACHE_HOME/tensile`,
 * else `~/.cache/tensile`). Downloads always go to the cache, since a data root may be read-only.
 */
import { access } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

let dataRootSetting: string | undefined;

/** Sets the data root for this process (overrides `TENSILE_DATA`); `undefined` clears it. */
export function setDataRoot(dir: string | undefined): void {
  dataRootSetting = dir === undefined ? undefined : path.resolve(dir);
}

/** The configured data root, if any. */
export function dataRoot(): string | undefined {
  return dataRootSetting ?? (process.env.TENSILE_DATA ? path.resolve(process.env.TENSILE_DATA) : undefined);
}

/** The per-user cache directory for downloads. */
export function cacheDir(): string {
  if (process.env.TENSILE_CACHE) return path.resolve(process.env.TENSILE_CACHE);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'tensile');
}

export interface RootOptions {
  /** Data root holding the dataset folders (e.g. `mnist/`); overrides the settings above. */
  readonly root?: string;
}

/**
 * Candidate folders for dataset `name`, most specific first: `<root>/<name>` when `{root}` is given,
 * else the data root's and then the cache's, then any `extra` system folders.
 */
export function candidateDirs(name: string, options: RootOptions, extra: readonly string[] = []): string[] {
  if (options.root !== undefined) return [path.join(path.resolve(options.root), name)];
  const configured = dataRoot();
  return [...(configured ? [path.join(configured, name)] : []), path.join(cacheDir(), name), ...extra];
}

/** The first candidate folder that holds every one of `files`, if any. */
export async function findDatasetDir(candidates: readonly string[], files: readonly string[]): Promise<string | undefined> {
  for (const dir of candidates) {
    const present = await Promise.all(files.map((file) => exists(path.join(dir, file))));
    if (present.every(Boolean)) return dir;
  }
  return undefined;
}

export async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
