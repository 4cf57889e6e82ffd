/**
 * The safetensors format, written by hand: an 8-byte little-endian header length, a JSON header
 * `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__: {string: string}}` padded with
 * spaces to a multiple of 8, then the raw little-endian data. Files are readable by the Python
 * `safetensors` package and others.
 */
import { tensor } from '../ops/creation.js';
import type { DType, TypedArray } from '../tensor/dtype.js';
import { sizeOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { crc32 } from './crc32.js';
import { ModelFileError } from './errors.js';

const TO_FORMAT: Record<DType, string> = { float32: 'F32', float64: 'F64', int32: 'I32', bool: 'BOOL' };
const ITEM_BYTES: Record<string, number> = { F32: 4, F64: 8, I32: 4, BOOL: 1 };

interface HeaderEntry {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly data_offsets: readonly [number, number];
}

/** Little-endian bytes of a typed array (a copy; every platform we run on is little-endian already). */
function bytesOf(values: TypedArray, format: string): Uint8Array {
  if (format === 'BOOL') return Uint8Array.from(values as ArrayLike<number>, (v) => (v ? 1 : 0));
  return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
}

/** Metadata key of the CRC-32 of the data section, checked on reading when present. */
export const CHECKSUM_KEY = 'tensile.crc32';

export function encodeSafetensors(tensors: Readonly<Record<string, Tensor>>, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  const header: Record<string, HeaderEntry | Record<string, string>> = {};
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const format = TO_FORMAT[t.dtype];
    if (!format) throw new ModelFileError('safetensors', `tensor '${name}' has dtype ${t.dtype}, which the format cannot store`);
    const bytes = bytesOf(t.dataSync(), format);
    header[name] = { dtype: format, shape: [...t.shape], data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  const data = new Uint8Array(offset);
  let at = 0;
  for (const c of chunks) {
    data.set(c, at);
    at += c.length;
  }
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

export interface DecodedSafetensors {
  readonly tensors: Record<string, Tensor>;
  readonly metadata: Record<string, string>;
  /** The raw data section (for checksums). */
  readonly data: Uint8Array;
}

function fail(file: string, problem: string): never {
  throw new ModelFileError(file, problem);
}

function typedView(format: string, bytes: Uint8Array): TypedArray {
  const copy = bytes.slice();
  switch (format) {
    case 'F32':
      return new Float32Array(copy.buffer);
    case 'F64':
      return new Float64Array(copy.buffer);
    case 'I32':
      return new Int32Array(copy.buffer);
    default:
      return copy;
  }
}

/** Parses and validates a safetensors buffer; `file` names it in errors. */
export function decodeSafetensors(bytes: Uint8Array, file: string): DecodedSafetensors {
  if (bytes.length < 8) fail(file, `only ${bytes.length} bytes: truncated, or not a safetensors file`);
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (headerLength > bytes.length - 8) fail(file, `header length ${headerLength} exceeds the ${bytes.length - 8} bytes after it: truncated, or not a safetensors file`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (e) {
    fail(file, `the header is not valid JSON (${(e as Error).message}): corrupt, or not a safetensors file`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail(file, 'the header is not a JSON object');
  const data = bytes.subarray(8 + headerLength);
  const tensors: Record<string, Tensor> = {};
  let metadata: Record<string, string> = {};
  const ranges: [number, number, string][] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = raw as Record<string, string>;
      continue;
    }
    const entry = raw as Partial<HeaderEntry>;
    const item = ITEM_BYTES[entry.dtype ?? ''];
    if (!item) fail(file, `tensor '${name}' has unsupported dtype ${String(entry.dtype)}`);
    const shape = entry.shape;
    const offsets = entry.data_offsets;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) fail(file, `tensor '${name}' has an invalid shape ${JSON.stringify(shape)}`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0)) fail(file, `tensor '${name}' has invalid data_offsets`);
    const [begin, end] = offsets as [number, number];
    if (end > data.length) fail(file, `tensor '${name}' ends at byte ${end} of the data but there are only ${data.length}: the file is truncated`);
    if (end - begin !== sizeOf(shape) * item) fail(file, `tensor '${name}' ${JSON.stringify(shape)} ${entry.dtype} needs ${sizeOf(shape) * item} bytes but has ${end - begin}`);
    ranges.push([begin, end, name]);
    const values = typedView(entry.dtype!, data.subarray(begin, end));
    tensors[name] = tensor(values, shape, { dtype: entry.dtype === 'BOOL' ? 'bool' : undefined });
  }
  const expected = metadata[CHECKSUM_KEY];
  if (expected !== undefined && String(crc32(data)) !== expected) fail(file, 'the weight data does not match its checksum: the file is corrupt');
  ranges.sort((a, b) => a[0] - b[0]);
  ranges.forEach(([begin], i) => {
    if (i > 0 && begin < ranges[i - 1]![1]) fail(file, `tensors '${ranges[i - 1]![2]}' and '${ranges[i]![2]}' overlap`);
  });
  return { tensors, metadata, data };
}
