/**
 * IDX, the big-endian n-dimensional array format of MNIST and Fashion-MNIST:
 * two zero bytes, a dtype code, the rank, one int32 per dimension, then the values.
 */
import { DataError } from './errors.js';
import { maybeGunzip } from './gzip.js';

export type IdxDType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

export type IdxValues = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  readonly dtype: IdxDType;
  readonly shape: readonly number[];
  readonly values: IdxValues;
}

export interface IdxExpectation {
  /** The dtype the file must hold (e.g. `'uint8'` for MNIST). */
  readonly dtype?: IdxDType;
  /** Required dimensions; `undefined` entries match any size (e.g. `[undefined, 28, 28]`). */
  readonly shape?: readonly (number | undefined)[];
}

const DTYPE_BY_CODE: ReadonlyMap<number, IdxDType> = new Map([
  [0x08, 'uint8'],
  [0x09, 'int8'],
  [0x0b, 'int16'],
  [0x0c, 'int32'],
  [0x0d, 'float32'],
  [0x0e, 'float64'],
]);

const ITEM_SIZE: Record<IdxDType, number> = { uint8: 1, int8: 1, int16: 2, int32: 4, float32: 4, float64: 8 };

/**
 * Parses raw IDX bytes. Checks the magic, dtype code, header length and that the payload is exactly
 * as long as the dimensions say; every failure is a DataError naming `source` and the byte offset.
 */
export function parseIdx(bytes: Uint8Array, source: string, expect: IdxExpectation = {}): IdxArray {
  if (bytes.length < 4) throw new DataError(source, `file is ${bytes.length} bytes, shorter than the 4-byte IDX magic`, { offset: 0 });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataError(source, `not an IDX file: magic starts ${hex(bytes[0]!)} ${hex(bytes[1]!)}, expected 00 00`, { offset: 0 });
  }
  const dtype = DTYPE_BY_CODE.get(bytes[2]!);
  if (dtype === undefined) throw new DataError(source, `unknown IDX dtype code ${hex(bytes[2]!)}`, { offset: 2 });
  const rank = bytes[3]!;
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength) {
    throw new DataError(source, `file ends inside the header (${bytes.length} of ${headerLength} bytes)`, { offset: bytes.length });
  }
  const shape = Array.from({ length: rank }, (_, axis) => view.getInt32(4 + 4 * axis, false));
  const negative = shape.findIndex((size) => size < 0);
  if (negative >= 0) throw new DataError(source, `dimension ${negative} is ${shape[negative]}: sizes cannot be negative`, { offset: 4 + 4 * negative });
  const count = shape.reduce((a, b) => a * b, 1);
  const payloadLength = count * ITEM_SIZE[dtype];
  const actualPayload = bytes.length - headerLength;
  if (actualPayload !== payloadLength) {
    const problem = actualPayload < payloadLength ? 'file is truncated' : 'file has trailing bytes';
    throw new DataError(source, `${problem}: shape [${shape.join(', ')}] of ${dtype} needs ${payloadLength} payload bytes, found ${actualPayload}`, {
      offset: headerLength + Math.min(actualPayload, payloadLength),
    });
  }
  checkExpectation(source, dtype, shape, expect);
  return { dtype, shape, values: readValues(view, headerLength, count, dtype) };
}

/** Parses IDX bytes that may be gzip-compressed (`.gz` as distributed). */
export async function readIdx(bytes: Uint8Array, source: string, expect: IdxExpectation = {}): Promise<IdxArray> {
  return parseIdx(await maybeGunzip(bytes, source), source, expect);
}

function checkExpectation(source: string, dtype: IdxDType, shape: readonly number[], expect: IdxExpectation): void {
  if (expect.dtype !== undefined && expect.dtype !== dtype) {
    throw new DataError(source, `holds ${dtype} values, expected ${expect.dtype}`, { offset: 2 });
  }
  const wanted = expect.shape;
  if (wanted === undefined) return;
  const fits = wanted.length === shape.length && wanted.every((size, axis) => size === undefined || size === shape[axis]);
  if (!fits) {
    const describe = wanted.map((size) => size ?? '*').join(', ');
    throw new DataError(source, `has shape [${shape.join(', ')}], expected [${describe}]`, { offset: 3 });
  }
}

function readValues(view: DataView, start: number, count: number, dtype: IdxDType): IdxValues {
  const bytes = new Uint8Array(view.buffer, view.byteOffset + start, count * ITEM_SIZE[dtype]);
  switch (dtype) {
    case 'uint8':
      return bytes.slice();
    case 'int8':
      return new Int8Array(bytes.slice().buffer);
    case 'int16':
      return Int16Array.from({ length: count }, (_, i) => view.getInt16(start + 2 * i, false));
    case 'int32':
      return Int32Array.from({ length: count }, (_, i) => view.getInt32(start + 4 * i, false));
    case 'float32':
      return Float32Array.from({ length: count }, (_, i) => view.getFloat32(start + 4 * i, false));
    case 'float64':
      return Float64Array.from({ length: count }, (_, i) => view.getFloat64(start + 8 * i, false));
  }
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
