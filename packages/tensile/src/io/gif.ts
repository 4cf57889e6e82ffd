/**
 * GIF, first frame: omggif parses the block structure (screen, palettes, frame descriptors), and
 * the LZW pixel data is decoded here. omggif's own LZW decoder loops forever on some corrupt
 * streams (a code chain that cycles) and reports short or long data only by printing; this one
 * stops at every impossible code with a DataError placed in the file.
 */
import { GifReader } from 'omggif';
import { DataError } from './errors.js';
import { gifHeader } from './image-headers.js';
import { checkDeclaredSize, type DataLimits } from './limits.js';
import { RawImage } from './raw-image.js';

/** LZW minimum code sizes a GIF may declare (as Go's image/gif enforces). */
const CODE_SIZES = { min: 2, max: 8 };
const MAX_CODES = 4096;

export function decodeGif(bytes: Uint8Array, source: string, limits: DataLimits): RawImage {
  const screen = gifHeader(bytes, source);
  checkDeclaredSize(source, screen, limits);
  let reader: GifReader;
  try {
    reader = new GifReader(bytes);
  } catch (cause) {
    throw new DataError(source, `GIF structure cannot be read (omggif: ${cause instanceof Error ? cause.message : String(cause)})`, { offset: screen.dataAt });
  }
  if (reader.numFrames() < 1) throw new DataError(source, 'GIF has no frames', { offset: screen.dataAt });
  const frame = reader.frameInfo(0);
  const dataAt = frame.data_offset;
  const paletteSize = frame.palette_size ?? 0;
  const descriptorAt = dataAt - 10 - (frame.has_local_palette ? paletteSize * 3 : 0);
  if (frame.width === 0 || frame.height === 0 || frame.x + frame.width > screen.width || frame.y + frame.height > screen.height) {
    throw new DataError(source, `GIF frame ${frame.width}×${frame.height} at (${frame.x}, ${frame.y}) lies outside the ${screen.width}×${screen.height} screen`, { offset: descriptorAt });
  }
  if (frame.palette_offset === null || paletteSize === 0) throw new DataError(source, 'GIF frame has no palette', { offset: descriptorAt });
  const indices = decodeLzw(bytes, dataAt, frame.width * frame.height, source);
  const rgb = new Uint8Array(screen.width * screen.height * 3);
  for (let row = 0; row < frame.height; row++) {
    const y = frame.y + (frame.interlaced ? interlacedRow(row, frame.height) : row);
    for (let column = 0; column < frame.width; column++) {
      const index = indices[row * frame.width + column]!;
      if (index === frame.transparent_index) continue;
      if (index >= paletteSize) throw new DataError(source, `GIF pixel uses color ${index} of a ${paletteSize}-color palette`, { offset: dataAt });
      const color = frame.palette_offset + 3 * index;
      rgb.set(bytes.subarray(color, color + 3), 3 * (y * screen.width + frame.x + column));
    }
  }
  return new RawImage(rgb, screen.width, screen.height, 3);
}

/** Interlaced frames store rows 0, 8, 16 …, then 4, 12 …, then 2, 6 …, then 1, 3 …. */
function interlacedRow(stored: number, height: number): number {
  let row = stored;
  for (const [start, step] of [[0, 8], [4, 8], [2, 4], [1, 2]] as const) {
    const count = Math.ceil(Math.max(0, height - start) / step);
    if (row < count) return start + row * step;
    row -= count;
  }
  return row;
}

/** The sub-blocks of a frame's image data joined, checked to end with their terminator inside the file. */
function imageData(bytes: Uint8Array, at: number, source: string): Uint8Array {
  const parts: Uint8Array[] = [];
  let p = at;
  for (;;) {
    if (p >= bytes.length) throw new DataError(source, 'GIF image data ends without its block terminator', { offset: bytes.length });
    const size = bytes[p++]!;
    if (size === 0) break;
    if (p + size > bytes.length) throw new DataError(source, `GIF data block of ${size} bytes runs past the end of the file`, { offset: p - 1 });
    parts.push(bytes.subarray(p, p + size));
    p += size;
  }
  const data = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    data.set(part, offset);
    offset += part.length;
  }
  return data;
}

/** Decodes exactly `count` palette indices from the LZW stream at `at` (code size byte, then sub-blocks). */
function decodeLzw(bytes: Uint8Array, at: number, count: number, source: string): Uint8Array {
  const minCodeSize = bytes[at]!;
  if (minCodeSize < CODE_SIZES.min || minCodeSize > CODE_SIZES.max) {
    throw new DataError(source, `GIF LZW code size ${minCodeSize} is outside ${CODE_SIZES.min}–${CODE_SIZES.max}`, { offset: at });
  }
  const data = imageData(bytes, at + 1, source);
  const clear = 1 << minCodeSize;
  const end = clear + 1;
  const prefix = new Int16Array(MAX_CODES);
  const suffix = new Uint8Array(MAX_CODES);
  const length = new Uint16Array(MAX_CODES);
  for (let code = 0; code < clear; code++) [suffix[code], length[code]] = [code, 1];
  const out = new Uint8Array(count);
  const fail = (problem: string): never => {
    throw new DataError(source, `GIF pixel data ${problem}`, { offset: at });
  };
  let codeSize = minCodeSize + 1;
  let next = end + 1;
  let previous = -1;
  let written = 0;
  let bit = 0;
  while (bit + codeSize <= data.length * 8) {
    let code = 0;
    for (let k = 0; k < codeSize; k++, bit++) code |= ((data[bit >> 3]! >> (bit & 7)) & 1) << k;
    if (code === clear) {
      [codeSize, next, previous] = [minCodeSize + 1, end + 1, -1];
      continue;
    }
    if (code === end) break;
    if (code > next || (previous < 0 && code >= clear)) fail(`uses LZW code ${code} before it is defined (next is ${next})`);
    const entry = code === next ? previous : code; // code === next: the previous string plus its own first value
    const size = length[entry]! + (code === next ? 1 : 0);
    if (written + size > count) fail(`is longer than the ${count} pixels of the frame`);
    let c = entry;
    for (let i = length[entry]! - 1; i >= 0; i--, c = prefix[c]!) out[written + i] = suffix[c]!;
    if (code === next) out[written + size - 1] = out[written]!;
    if (previous >= 0 && next < MAX_CODES) {
      [prefix[next], suffix[next], length[next]] = [previous, out[written]!, length[previous]! + 1];
      next++;
      if (next === 1 << codeSize && codeSize < 12) codeSize++;
    }
    written += size;
    previous = code;
  }
  if (written < count) fail(`ends after ${written} of the frame's ${count} pixels`);
  return out;
}
