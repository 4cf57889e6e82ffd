/**
 * Finds a dataset's files and downloads missing ones into the cache when the dataset has a public
 * URL. Checksums are of the *content* (after gunzip): mirrors re-compress files, so the `.gz` bytes
 * differ between copies of the same data while the payload does not.
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DataError } from '../../io/errors.js';
import { maybeGunzip } from '../../io/gzip.js';
import { cacheDir, candidateDirs, exists, findDatasetDir, type CandidateDir, type RootOptions } from './data-root.node.js';

export interface FileSpec {
  readonly name: string;
  /** sha256 of the file's content, decompressed if it is gzip. */
  readonly contentSha256?: string;
}

export interface FetchOptions extends RootOptions {
  /** Base URL to download missing files from (`<baseUrl>/<file name>`); overrides the dataset's default. */
  readonly baseUrl?: string;
  /** Set false to fail rather than download when files are missing. Default true. */
  readonly download?: boolean;
  /** Check the content sha256 of the files where known (default true). */
  readonly verify?: boolean;
}

export interface DatasetLocation {
  /** Folder name under a data root, e.g. `mnist`. */
  readonly name: string;
  readonly files: readonly FileSpec[];
  /** Public download location, when one exists. */
  readonly defaultBaseUrl?: string;
  /** Further folders to look in (e.g. Debian's `/usr/share/datasets/...`). */
  readonly systemDirs?: readonly string[];
}

/** The folder holding all of the dataset's files, downloading them first if needed. */
export async function locateDataset(location: DatasetLocation, options: FetchOptions = {}): Promise<string> {
  const names = location.files.map((file) => file.name);
  const candidates = candidateDirs(location.name, options, location.systemDirs);
  const found = await findDatasetDir(candidates, names);
  if (found !== undefined) return found;
  const baseUrl = options.baseUrl ?? location.defaultBaseUrl;
  if (baseUrl === undefined || options.download === false) {
    throw await notFound(location, candidates, baseUrl === undefined ? 'it has no public download' : 'downloading was turned off');
  }
  const target = options.root !== undefined ? candidates[0]!.dir : path.join(cacheDir(), location.name);
  const created = await mkdir(target, { recursive: true });
  try {
    for (const file of location.files) {
      const destination = path.join(target, file.name);
      if (!(await exists(destination))) await download(`${baseUrl.replace(/\/$/, '')}/${file.name}`, destination, file);
    }
  } catch (cause) {
    if (created !== undefined) await removeEmptyDirs(target, created);
    throw await notFound(location, candidates, cause instanceof Error ? cause.message : String(cause));
  }
  return target;
}

/** The error for a dataset found nowhere: every folder looked in (and which are missing), why it was not downloaded, and how to point at it. */
async function notFound(location: DatasetLocation, candidates: readonly CandidateDir[], why: string): Promise<DataError> {
  const places = await Promise.all(candidates.map(async ({ dir, source }) => `${dir} (${source}${(await exists(dir)) ? '' : ', missing'})`));
  return new DataError(
    `dataset ${location.name}`,
    `not found: no folder holds ${location.files.map((file) => file.name).join(', ')}; looked in ${places.join(', ')}; ${why}. `
      + `Point at a folder that holds ${location.name}/ with --data-root DIR, TENSILE_DATA=DIR, setDataRoot(DIR) or the { root: DIR } option`,
  );
}

/** Removes `dir` and its parents up to `top` (the first folder mkdir created) while they are empty, so a failed download leaves no empty folder. */
async function removeEmptyDirs(dir: string, top: string): Promise<void> {
  for (let current = dir; ; current = path.dirname(current)) {
    try {
      await rmdir(current);
    } catch {
      return; // not empty: files an earlier download completed stay
    }
    if (current === top) return;
  }
}

/** Downloads to a temporary name and renames only after the checks pass, so no half file is left. */
async function download(url: string, destination: string, spec: FileSpec): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (cause) {
    throw new DataError(url, `download failed (${cause instanceof Error ? cause.message : String(cause)})`);
  }
  if (!response.ok) throw new DataError(url, `download failed: HTTP ${response.status} ${response.statusText}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  verifyContent(url, await maybeGunzip(bytes, url), spec);
  const partial = `${destination}.partial-${process.pid}`;
  await writeFile(partial, bytes);
  await rename(partial, destination);
}

/** Throws a DataError when `content` does not have the spec's sha256. */
export function verifyContent(source: string, content: Uint8Array, spec: FileSpec): void {
  if (spec.contentSha256 === undefined) return;
  const actual = createHash('sha256').update(content).digest('hex');
  if (actual !== spec.contentSha256) throw new DataError(source, `content sha256 ${actual} does not match the expected ${spec.contentSha256}`);
}
