/** File access for the readers: bytes, streamed chunks (gunzipped on the fly) and folder listings. */
import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { DataError, asDataError } from './errors.js';
import { gunzipChunks } from './gzip.js';

/** A file's bytes; a missing or unreadable file is a DataError naming it. */
export async function readFileBytes(file: string): Promise<Uint8Array> {
  try {
    const buffer = await readFile(file);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (cause) {
    throw asDataError(file, cause);
  }
}

/** A file's contents as chunks, gunzipped when it ends in `.gz`, without reading it whole. */
export function readFileChunks(file: string): AsyncIterable<Uint8Array> {
  const raw = (async function* () {
    try {
      for await (const chunk of createReadStream(file)) yield chunk as Uint8Array;
    } catch (cause) {
      throw asDataError(file, cause);
    }
  })();
  return file.endsWith('.gz') ? gunzipChunks(raw, file) : raw;
}

/** Files under `dir` (recursively) whose names end in one of `extensions` (case-insensitive), sorted. */
export async function listFiles(dir: string, extensions: readonly string[]): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch (cause) {
    throw asDataError(dir, cause);
  }
  const wanted = extensions.map((e) => e.toLowerCase());
  return entries
    .filter((entry) => entry.isFile() && wanted.some((ext) => entry.name.toLowerCase().endsWith(ext)))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort(compareNatural);
}

/** Immediate subfolders of `dir`, sorted. */
export async function listFolders(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort(compareNatural);
  } catch (cause) {
    throw new DataError(dir, `cannot list folder (${cause instanceof Error ? cause.message : String(cause)})`);
  }
}

/** `s2` before `s10`, so class indices follow the numbering people expect. */
export function compareNatural(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
