/**
 * Image decoding from bytes, in the browser and in Node: JPEG (jpeg-js), PGM/PPM (own), BMP
 * (fast-bmp), GIF (first frame; gif.ts). PNG's decoder (pngjs) needs Node's zlib, so it is registered
 * by the Node entry point (`tensile/node`); `registerImageDecoder` lets an app plug in another.
 * The format is recognised from the leading bytes, never from the file name.
 */
import jpeg from 'jpeg-js';
import { decode as decodeBmpFile } from 'fast-bmp';
import { DataError, asDataError } from './errors.js';
import { decodeGif } from './gif.js';
import { bmpHeader, type ImageHeader, jpegHeader } from './image-headers.js';
import { checkDeclaredSize, type DataLimits, limitOf } from './limits.js';
import { decodePnm, isPnm } from './pnm.js';
import { RawImage } from './raw-image.js';

export type ImageFormat = 'jpeg' | 'png' | 'pnm' | 'bmp' | 'gif';

/**
 * Decodes one format. `limits` carries the caller's pixel limit: a decoder checks the size its
 * header declares against it (`checkDeclaredSize`) before allocating anything.
 */
export type ImageDecoder = (bytes: Uint8Array, source: string, limits: DataLimits) => RawImage;

const decoders = new Map<ImageFormat, ImageDecoder>([
  ['jpeg', decodeJpeg],
  ['pnm', decodePnm],
  ['bmp', decodeBmp],
  ['gif', decodeGif],
]);

/** Installs the decoder used for `format` (the Node entry point installs PNG). */
export function registerImageDecoder(format: ImageFormat, decoder: ImageDecoder): void {
  decoders.set(format, decoder);
}

/** The format the leading bytes announce, or undefined for unknown data. */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  const b = bytes;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d) return 'bmp';
  if (b.length >= 4 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38) return 'gif';
  if (isPnm(b)) return 'pnm';
  return undefined;
}

/**
 * Decodes an image file's bytes into a RawImage (8-bit; 1 channel for PGM, 3 for JPEG, PPM, BMP
 * and GIF, 1–4 for PNG as stored). A corrupt, truncated or oversized file (more than
 * `options.maxPixels`, default `setDataLimits`' value) is a DataError naming `source`.
 */
export function decodeImage(bytes: Uint8Array, source: string, options: DataLimits = {}): RawImage {
  const format = sniffImageFormat(bytes);
  if (format === undefined) throw new DataError(source, 'not a JPEG, PNG, PGM/PPM, BMP or GIF image (unknown leading bytes)', { offset: 0 });
  const decoder = decoders.get(format);
  if (decoder === undefined) {
    throw new DataError(source, `no ${format.toUpperCase()} decoder is registered here; import 'tensile/node' or call registerImageDecoder`);
  }
  try {
    return decoder(bytes, source, options);
  } catch (cause) {
    throw asDataError(source, cause);
  }
}

/**
 * Runs a third-party decoder, turning its errors (plain Errors in the library's wording) into a
 * DataError placed at the data section it was reading.
 */
function fromDecoder<T>(source: string, header: ImageHeader, library: string, decode: () => T): T {
  try {
    return decode();
  } catch (cause) {
    if (cause instanceof DataError) throw cause;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new DataError(source, `${header.format} image data cannot be decoded (${library}: ${reason})`, { offset: header.dataAt });
  }
}

/** `fromDecoder`, then a check that the decoder produced the size the header declared. */
export function decodeChecked(source: string, header: ImageHeader, library: string, decode: () => RawImage): RawImage {
  const image = fromDecoder(source, header, library, decode);
  if (image.width !== header.width || image.height !== header.height) {
    throw new DataError(source, `${header.format} decoded to ${image.width}×${image.height}, but its header declares ${header.width}×${header.height}`, { offset: header.widthAt });
  }
  return image;
}

/** jpeg-js's peak working memory per pixel: component planes at up to 4:4:4, the output, and slack. */
const JPEG_BYTES_PER_PIXEL = 16;

function decodeJpeg(bytes: Uint8Array, source: string, limits: DataLimits): RawImage {
  // A file cut short still decodes as a partly gray picture under jpeg-js's tolerant mode, so the
  // end-of-image marker is checked first: truncation must be an error, not silently bad data.
  if (!endsWithEoi(bytes)) throw new DataError(source, 'JPEG is truncated (no end-of-image marker FFD9)', { offset: bytes.length });
  const header = jpegHeader(bytes, source);
  checkDeclaredSize(source, header, limits);
  return decodeChecked(source, header, 'jpeg-js', () => {
    // jpeg-js's own caps follow ours: the declared size was checked above, and its memory cap (for
    // crafted sampling factors and tables) allows the decoder's working buffers for that size.
    const maxPixels = limitOf('decodeImage', limits, 'maxPixels');
    const { data, width, height } = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      tolerantDecoding: true,
      maxResolutionInMP: maxPixels / 1e6,
      maxMemoryUsageInMB: Math.max(512, Math.ceil((maxPixels * JPEG_BYTES_PER_PIXEL) / 2 ** 20)),
    });
    return new RawImage(data, width, height, 3);
  });
}

/** Some encoders append padding after FFD9, so the marker may sit anywhere in the last 1 KiB. */
function endsWithEoi(bytes: Uint8Array): boolean {
  for (let i = bytes.length - 2; i >= Math.max(0, bytes.length - 1024); i--) if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return true;
  return false;
}

function decodeBmp(bytes: Uint8Array, source: string, limits: DataLimits): RawImage {
  const header = bmpHeader(bytes, source);
  checkDeclaredSize(source, header, limits);
  return decodeChecked(source, header, 'fast-bmp', () => {
    const { data, width, height, channels, components, bitsPerPixel } = decodeBmpFile(bytes);
    if (!(data instanceof Uint8Array)) throw new DataError(source, 'BMP decoder returned no pixel array');
    const pixels = data;
    if (bitsPerPixel === 1) return new RawImage(pixels.map((bit) => bit * 255), width, height, 1);
    if (components !== undefined && components !== channels) return dropAlpha(pixels, width, height, channels);
    if (pixels.length !== width * height * channels) throw new DataError(source, `BMP pixel data does not fill ${width}×${height}×${channels}`, { offset: header.dataAt });
    return new RawImage(pixels, width, height, channels);
  });
}

function dropAlpha(pixels: Uint8Array, width: number, height: number, channels: number): RawImage {
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    rgb[3 * p] = pixels[channels * p]!;
    rgb[3 * p + 1] = pixels[channels * p + 1]!;
    rgb[3 * p + 2] = pixels[channels * p + 2]!;
  }
  return new RawImage(rgb, width, height, 3);
}
