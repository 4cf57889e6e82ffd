/**
 * The safetensors format, written by hand: an 8-byte little-endian header length, a JSON header
 * `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__: {string: string}}` padded with
 * spaces to a multiple of 8, then the raw little-endian data. Files are readable by the Python
 * `safetensors` package and others. This file stores typed arrays, so the int8 model file
 * (`quantize/`) and the float model files (`safetensors.ts`, Tensors) share one writer and reader.
 */
import { crc32 } from './crc32.js';
import { ModelFileError } from './errors.js';

/** The element types Tensile writes (BOOL as one byte per element, 0 or 1). */
export type SafetensorsDType = 'F64' | 'F32' | 'I32' | 'I8' | 'BOOL';

export interface StoredArray {
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  readonly values: Float64Array | Float32Array | Int32Array | Int8Array | Uint8Array;
}

const ITEM_BYTES: Record<SafetensorsDType, number> = { F64: 8, F32: 4, I32: 4, I8: 1, BOOL: 1 };

interface HeaderEntry {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly data_offsets: readonly [number, number];
}

/** Metadata key of the CRC-32 of the data section: always written, and required on reading unless skipped. */
export const CHECKSUM_KEY = 'tensile.crc32';

/**
 * Arrays are laid out widest element first, so that each starts aligned to its element size (for
 * readers that map the data) while the data section stays contiguous, as the format requires.
 */
export function encodeSafetensorArrays(arrays: Readonly<Record<string, StoredArray>>, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  const entries = Object.entries(arrays).sort(([, a], [, b]) => ITEM_BYTES[b.dtype] - ITEM_BYTES[a.dtype]);
  const header: Record<string, HeaderEntry> = {};
  let offset = 0;
  for (const [name, { dtype, shape, values }] of entries) {
    header[name] = { dtype, shape: [...shape], data_offsets: [offset, offset + values.byteLength] };
    offset += values.byteLength;
  }
  const data = new Uint8Array(offset);
  for (const [name, { values }] of entries) data.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), header[name]!.data_offsets[0]);
  // Metadata first, as the Python library writes it.
  let json = JSON.stringify({ __metadata__: { ...metadata, [CHECKSUM_KEY]: String(crc32(data)) }, ...header });
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  out.set(data, 8 + headerBytes.length);
  return out;
}

export interface DecodedSafetensorArrays {
  readonly arrays: Record<string, StoredArray>;
  readonly metadata: Record<string, string>;
  /** The raw data section (for checksums). */
  readonly data: Uint8Array;
}

function fail(file: string, problem: string): never {
  throw new ModelFileError(file, problem);
}

function typedArrayOf(dtype: SafetensorsDType, bytes: Uint8Array): StoredArray['values'] {
  // A copy with its own buffer: a Node Buffer's slice() would share the file's pooled memory.
  const copy = new Uint8Array(bytes);
  switch (dtype) {
    case 'F64':
      return new Float64Array(copy.buffer);
    case 'F32':
      return new Float32Array(copy.buffer);
    case 'I32':
      return new Int32Array(copy.buffer);
    case 'I8':
      return new Int8Array(copy.buffer);
    case 'BOOL':
      return copy;
  }
}

/** The metadata of a safetensors buffer, or null when it has no readable header (reads the header only). */
export function peekSafetensorsMetadata(bytes: Uint8Array): Record<string, string> | null {
  if (bytes.length < 8) return null;
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (headerLength > bytes.length - 8) return null;
  try {
    const header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength))) as Record<string, unknown>;
    const metadata = header['__metadata__'];
    return metadata !== null && typeof metadata === 'object' ? (metadata as Record<string, string>) : {};
  } catch {
    return null;
  }
}

export interface SafetensorsReadOptions {
  /**
   * Read without verifying the data checksum (default false). Files written by other tools (the
   * Python `safetensors` package, Hugging Face) carry none; Tensile's own files always do, so a file
   * without one is otherwise refused: a flipped weight byte would load silently.
   */
  readonly skipChecksum?: boolean;
}

const ENTRY_FIELDS: ReadonlySet<string> = new Set(['dtype', 'shape', 'data_offsets']);

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The `__metadata__` map: absent is empty; anything but an object of strings is refused. */
function metadataOf(raw: unknown, file: string): Record<string, string> {
  if (raw === undefined) return {};
  if (!isObject(raw) || !Object.values(raw).every((v) => typeof v === 'string')) {
    fail(file, `'__metadata__' must be an object of strings, got ${JSON.stringify(raw)?.slice(0, 80)}`);
  }
  return raw as Record<string, string>;
}

/** Parses and validates a safetensors buffer against the format's schema; `file` names it in errors. */
export function decodeSafetensorArrays(bytes: Uint8Array, file: string, options: SafetensorsReadOptions = {}): DecodedSafetensorArrays {
  if (bytes.length < 8) fail(file, `only ${bytes.length} bytes: truncated, or not a safetensors file`);
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (headerLength > bytes.length - 8) fail(file, `header length ${headerLength} exceeds the ${bytes.length - 8} bytes after it: truncated, or not a safetensors file`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (e) {
    fail(file, `the header is not valid JSON (${(e as Error).message}): corrupt, or not a safetensors file`);
  }
  if (!isObject(header)) fail(file, 'the header is not a JSON object');
  const data = bytes.subarray(8 + headerLength);
  const arrays: Record<string, StoredArray> = {};
  const metadata = metadataOf(header['__metadata__'], file);
  const ranges: [number, number, string][] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (!isObject(raw)) fail(file, `tensor '${name}' has header entry ${JSON.stringify(raw)}: it must be an object {dtype, shape, data_offsets}`);
    const unknown = Object.keys(raw).find((key) => !ENTRY_FIELDS.has(key));
    if (unknown !== undefined) fail(file, `tensor '${name}' has unknown field '${unknown}' (expected dtype, shape, data_offsets)`);
    const entry = raw as Partial<HeaderEntry>;
    const dtype = entry.dtype as SafetensorsDType;
    const item = Object.hasOwn(ITEM_BYTES, dtype) ? ITEM_BYTES[dtype] : undefined;
    if (!item) fail(file, `tensor '${name}' has unsupported dtype ${String(entry.dtype)}`);
    const shape = entry.shape;
    const offsets = entry.data_offsets;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) fail(file, `tensor '${name}' has an invalid shape ${JSON.stringify(shape)}`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0) || offsets[0]! > offsets[1]!) {
      fail(file, `tensor '${name}' has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    if (end > data.length) fail(file, `tensor '${name}' ends at byte ${end} of the data but there are only ${data.length}: the file is truncated`);
    const size = shape.reduce((n: number, d: number) => n * d, 1);
    if (end - begin !== size * item) fail(file, `tensor '${name}' ${JSON.stringify(shape)} ${dtype} needs ${size * item} bytes but has ${end - begin}`);
    ranges.push([begin, end, name]);
    arrays[name] = { dtype, shape, values: typedArrayOf(dtype, data.subarray(begin, end)) };
  }
  if (!options.skipChecksum) {
    const expected = metadata[CHECKSUM_KEY];
    if (expected === undefined) fail(file, `has no '${CHECKSUM_KEY}' checksum, so damaged weights would go unnoticed; for a file written by another tool, pass { skipChecksum: true }`);
    if (String(crc32(data)) !== expected) fail(file, 'the weight data does not match its checksum: the file is corrupt');
  }
  ranges.sort((a, b) => a[0] - b[0]);
  ranges.forEach(([begin], i) => {
    if (i > 0 && begin < ranges[i - 1]![1]) fail(file, `tensors '${ranges[i - 1]![2]}' and '${ranges[i]![2]}' overlap`);
  });
  return { arrays, metadata, data };
}
