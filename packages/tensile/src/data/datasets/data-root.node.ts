/**
 * Where datasets live, searched in this order: an explicit `{root}` option (then only there), else
 * the data root set by `setDataRoot()` (the CLI's `--data-root`), the `TENSILE_DATA` variable,
 * `../shared/datasets` from the working directory (the folder beside a checkout run from its root),
 * the per-user cache (`TENSILE_CACHE`, else `$XDG_CACHE_HOME/tensile`, else `~/.cache/tensile`) and
 * a dataset's system folders. Downloads always go to the cache, since a data root may be read-only.
 */
import { statSync } from 'node:fs';
import { access } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DataError } from '../../io/errors.js';

let dataRootSetting: string | undefined;

/** Sets the data root for this process (searched before `TENSILE_DATA`); `undefined` clears it. Throws a DataError naming a folder that does not exist. */
export function setDataRoot(dir: string | undefined): void {
  if (dir !== undefined && !isDirectory(dir)) throw new DataError(path.resolve(dir), 'the data root (--data-root or setDataRoot) is not an existing folder');
  dataRootSetting = dir === undefined ? undefined : path.resolve(dir);
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** The configured data root, if any: `setDataRoot()`'s, else `TENSILE_DATA`. */
export function dataRoot(): string | undefined {
  return dataRootSetting ?? environmentDataRoot();
}

function environmentDataRoot(): string | undefined {
  return process.env.TENSILE_DATA ? path.resolve(process.env.TENSILE_DATA) : undefined;
}

/** The datasets folder beside a checkout, for commands run from the checkout's root. */
function sharedDatasetsDir(): string {
  return path.resolve('..', 'shared', 'datasets');
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

/** A folder a dataset may be in, and which setting put it on the list. */
export interface CandidateDir {
  readonly dir: string;
  readonly source: string;
}

/**
 * Candidate folders for dataset `name`, most specific first: `<root>/<name>` alone when `{root}` is
 * given, else under each setting above (each folder once), then any `extra` system folders.
 */
export function candidateDirs(name: string, options: RootOptions, extra: readonly string[] = []): CandidateDir[] {
  if (options.root !== undefined) return [{ dir: path.join(path.resolve(options.root), name), source: 'the root option' }];
  const roots = [
    ...(dataRootSetting ? [{ dir: dataRootSetting, source: '--data-root / setDataRoot' }] : []),
    ...(environmentDataRoot() ? [{ dir: environmentDataRoot()!, source: 'TENSILE_DATA' }] : []),
    { dir: sharedDatasetsDir(), source: '../shared/datasets from the working directory' },
    { dir: cacheDir(), source: 'the download cache' },
  ];
  const candidates = [...roots.map(({ dir, source }) => ({ dir: path.join(dir, name), source })), ...extra.map((dir) => ({ dir, source: 'system folder' }))];
  return candidates.filter((candidate, i) => candidates.findIndex((other) => other.dir === candidate.dir) === i);
}

/** The first candidate folder that holds every one of `files`, if any. */
export async function findDatasetDir(candidates: readonly CandidateDir[], files: readonly string[]): Promise<string | undefined> {
  for (const { dir } of candidates) {
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
