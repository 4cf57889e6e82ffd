/**
 * Reads files out of a tar archive held in memory (ustar, with GNU long names), so images in a
 * `.tar.gz` are used without unpacking anything to disk. Header checksums are verified.
 */
import { DataError } from './errors.js';
import { maybeGunzip } from './gzip.js';

export interface TarEntry {
  /** Path inside the archive, e.g. `lfw/Aaron_Peirsol/Aaron_Peirsol_0001.jpg`. */
  readonly name: string;
  /** The file's bytes, a view into the archive buffer. */
  readonly data: Uint8Array;
}

const BLOCK = 512;

/** Yields the regular files of an uncompressed tar archive in archive order. */
export function* readTarEntries(archive: Uint8Array, source: string): Generator<TarEntry> {
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= archive.length) {
    const header = archive.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) return; // end-of-archive marker
    verifyChecksum(header, source, offset);
    const size = octal(header, 124, 12, source, offset);
    const type = String.fromCharCode(header[156]!);
    const dataStart = offset + BLOCK;
    if (dataStart + size > archive.length) {
      throw new DataError(source, `archive is truncated: entry needs ${size} bytes, ${archive.length - dataStart} remain`, { offset: dataStart });
    }
    const data = archive.subarray(dataStart, dataStart + size);
    offset = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'L') {
      longName = cString(data, 0, data.length); // GNU: the next entry's full name
      continue;
    }
    const name = longName ?? ustarName(header);
    longName = undefined;
    if (type === '0' || type === '\0' || type === '7') yield { name, data };
  }
  if (offset < archive.length) throw new DataError(source, 'archive is truncated inside a header', { offset });
  throw new DataError(source, 'archive ends without its end-of-archive blocks (truncated?)', { offset });
}

/** Reads every regular file of a `.tar` or `.tar.gz` held in memory into a name → bytes map. */
export async function readTar(bytes: Uint8Array, source: string): Promise<Map<string, Uint8Array>> {
  const archive = await maybeGunzip(bytes, source);
  return new Map([...readTarEntries(archive, source)].map((entry) => [entry.name, entry.data]));
}

function ustarName(header: Uint8Array): string {
  const name = cString(header, 0, 100);
  const isUstar = cString(header, 257, 6) === 'ustar';
  const prefix = isUstar ? cString(header, 345, 155) : '';
  return prefix ? `${prefix}/${name}` : name;
}

function verifyChecksum(header: Uint8Array, source: string, offset: number): void {
  const stored = octal(header, 148, 8, source, offset);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  if (sum !== stored) throw new DataError(source, `corrupt tar header (checksum ${stored}, computed ${sum})`, { offset });
}

function octal(header: Uint8Array, start: number, length: number, source: string, offset: number): number {
  const text = cString(header, start, length).trim();
  if (!/^[0-7]*$/.test(text)) throw new DataError(source, `corrupt tar header (bad octal field ${JSON.stringify(text)})`, { offset: offset + start });
  return text === '' ? 0 : parseInt(text, 8);
}

function cString(bytes: Uint8Array, start: number, length: number): string {
  const field = bytes.subarray(start, start + length);
  const end = field.indexOf(0);
  return new TextDecoder().decode(end < 0 ? field : field.subarray(0, end));
}
