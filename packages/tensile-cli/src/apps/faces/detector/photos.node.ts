/** Reading photographs for detection: any format the library decodes, within a pixel limit, errors naming the file. */
import { DataError, decodeImage, type RawImage } from 'tensile';
import { readFileBytes } from 'tensile/node';

/** Larger photographs are refused (a 40-megapixel gray image already needs ~1 GB of pyramid and features). */
export const MAX_PHOTO_PIXELS = 40_000_000;

export function decodePhoto(bytes: Uint8Array, file: string, maxPixels = MAX_PHOTO_PIXELS): RawImage {
  const image = decodeImage(bytes, file);
  if (image.width * image.height > maxPixels) {
    throw new DataError(file, `is ${image.width}×${image.height} = ${(image.width * image.height / 1e6).toFixed(1)} megapixels, above the limit of ${(maxPixels / 1e6).toFixed(1)}`);
  }
  return image;
}

export async function readPhoto(file: string, maxPixels = MAX_PHOTO_PIXELS): Promise<RawImage> {
  return decodePhoto(await readFileBytes(file), file, maxPixels);
}
