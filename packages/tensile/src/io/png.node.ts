/** PNG decoding through pngjs, which needs Node's zlib; installed into `decodeImage` by the Node entry. */
import { PNG } from 'pngjs';
import { pngHeader } from './image-headers.js';
import { checkDeclaredSize, type DataLimits } from './limits.js';
import { decodeChecked, registerImageDecoder } from './image.js';
import { RawImage } from './raw-image.js';

/** Gray+alpha (type 4) keeps the gray channel, like gray; palette (type 3) is expanded to RGB. */
const CHANNELS_BY_COLOR_TYPE: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 3, 4: 1, 6: 4 };

/** Decodes a PNG after checking its declared size against the pixel limit; pngjs errors become DataErrors at the image data. */
export function decodePng(bytes: Uint8Array, source = 'PNG', limits: DataLimits = {}): RawImage {
  const header = pngHeader(bytes, source);
  checkDeclaredSize(source, header, limits);
  return decodeChecked(source, header, 'pngjs', () => pngPixels(bytes));
}

function pngPixels(bytes: Uint8Array): RawImage {
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const channels = CHANNELS_BY_COLOR_TYPE[png.colorType] ?? 4;
  const rgba = png.data; // pngjs always expands to 8-bit RGBA
  if (channels === 4) return new RawImage(new Uint8Array(rgba), png.width, png.height, 4);
  const pixels = new Uint8Array(png.width * png.height * channels);
  for (let p = 0; p < png.width * png.height; p++) {
    for (let c = 0; c < channels; c++) pixels[p * channels + c] = rgba[4 * p + c]!;
  }
  return new RawImage(pixels, png.width, png.height, channels);
}

registerImageDecoder('png', decodePng);
