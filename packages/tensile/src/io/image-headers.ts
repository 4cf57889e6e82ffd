/**
 * The few header fields the image readers check before handing bytes to a third-party decoder:
 * the declared size (against the pixel limit) and where the pixel data starts (to place a
 * decoder's error in the file). Each function reads only the header; a header cut short is a
 * DataError at the offset where it ends.
 */
import { DataError } from './errors.js';
import type { DeclaredSize } from './limits.js';

/** A header field (and the data section) of a file, as needed to check and to blame. */
export interface ImageHeader extends DeclaredSize {
  /** Where the encoded pixel data starts. */
  readonly dataAt: number;
}

function need(bytes: Uint8Array, length: number, source: string, format: string): DataView {
  if (bytes.length < length) throw new DataError(source, `${format} file ends inside its header (${bytes.length} bytes)`, { offset: bytes.length });
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** PNG: the IHDR chunk must come first; the pixel data is the first IDAT chunk. */
export function pngHeader(bytes: Uint8Array, source: string): ImageHeader {
  const view = need(bytes, 33, source, 'PNG');
  if (String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') throw new DataError(source, 'PNG does not start with its IHDR chunk', { offset: 12 });
  let dataAt = 8;
  while (dataAt + 8 <= bytes.length && String.fromCharCode(...bytes.subarray(dataAt + 4, dataAt + 8)) !== 'IDAT') dataAt += 12 + view.getUint32(dataAt, false);
  // pngjs decodes a PNG without image data as a blank picture; a damaged chunk type can cause that.
  if (dataAt + 8 > bytes.length) throw new DataError(source, 'PNG has no image data (IDAT chunk)', { offset: Math.min(dataAt, bytes.length) });
  return { format: 'PNG', width: view.getUint32(16, false), height: view.getUint32(20, false), widthAt: 16, heightAt: 20, dataAt };
}

/** JPEG: walks the marker segments to the frame header (SOFn) and the start of scan (SOS). */
export function jpegHeader(bytes: Uint8Array, source: string): ImageHeader {
  const view = need(bytes, 4, source, 'JPEG');
  let frameAt: number | undefined;
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) throw new DataError(source, `JPEG segment does not start with a marker (found ${bytes[at]!.toString(16)})`, { offset: at });
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0xda) break;
    if (isFrameMarker(marker)) frameAt = at;
    at += 2 + view.getUint16(at + 2, false);
  }
  if (frameAt === undefined) throw new DataError(source, 'JPEG has no frame header (SOF marker) before its image data', { offset: Math.min(at, bytes.length) });
  need(bytes, frameAt + 9, source, 'JPEG');
  return { format: 'JPEG', height: view.getUint16(frameAt + 5, false), width: view.getUint16(frameAt + 7, false), widthAt: frameAt, heightAt: frameAt, dataAt: Math.min(at, bytes.length) };
}

/** SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range. */
function isFrameMarker(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** BMP: a negative height means rows stored top-down, so the size is its magnitude. */
export function bmpHeader(bytes: Uint8Array, source: string): ImageHeader {
  const view = need(bytes, 26, source, 'BMP');
  const core = view.getUint32(14, true) === 12; // OS/2 BITMAPCOREHEADER: 16-bit sizes
  const width = core ? view.getUint16(18, true) : view.getInt32(18, true);
  const height = core ? view.getUint16(20, true) : Math.abs(view.getInt32(22, true));
  return { format: 'BMP', width, height, widthAt: 18, heightAt: core ? 20 : 22, dataAt: Math.min(view.getUint32(10, true), bytes.length) };
}

/** GIF: the logical screen; frames are checked once the decoder has found them. */
export function gifHeader(bytes: Uint8Array, source: string): ImageHeader {
  const view = need(bytes, 13, source, 'GIF');
  return { format: 'GIF', width: view.getUint16(6, true), height: view.getUint16(8, true), widthAt: 6, heightAt: 8, dataAt: 13 };
}
