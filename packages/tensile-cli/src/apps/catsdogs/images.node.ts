/**
 * Cats-vs-dogs photos → small fixed-size arrays: each JPEG is decoded once, optionally turned gray
 * and area-resized to `size`×`size`, and the 8-bit pixels are stored back to back. Decoding is the
 * slow part (jpeg-js, ~100 photos/s), so callers keep the result and augment on the fly in the model.
 */
import { type BadRecordOptions, type LabeledImages, type RawImage, resize, toGrayscale } from 'tensile';
import { imageFileDataset, type LabeledFile } from 'tensile/node';

export interface ImageGeometry {
  /** Side of the square input in pixels (50 in Shiddieqy et al.). */
  readonly size: number;
  /** One gray channel instead of three RGB ones. */
  readonly gray: boolean;
}

export interface PreparedImages extends LabeledImages {
  /** Source file of each image, in order. */
  readonly paths: readonly string[];
}

export function channelsOf(geometry: ImageGeometry): number {
  return geometry.gray ? 1 : 3;
}

/** Gray conversion (if asked) then area resize, the one preprocessing step of training and inference. */
export function prepareImage(image: RawImage, geometry: ImageGeometry): RawImage {
  const colour = geometry.gray ? toGrayscale(image) : image;
  return resize(colour, geometry.size, geometry.size, 'area');
}

/**
 * Decodes and prepares `files` in order. Unreadable files raise a DataError naming the file, or
 * with `onBadRecord: 'skip'` are left out (and listed in a warning).
 */
export async function loadPreparedImages(
  files: readonly LabeledFile[],
  geometry: ImageGeometry,
  options: BadRecordOptions = {},
): Promise<PreparedImages> {
  const pixels = geometry.size * geometry.size * channelsOf(geometry);
  const chunks: Uint8Array[] = [];
  const labels: number[] = [];
  const paths: string[] = [];
  for await (const { image, label, path } of imageFileDataset(files, { ...options, parallel: 8 })) {
    chunks.push(prepareImage(image, geometry).data);
    labels.push(label);
    paths.push(path);
  }
  const images = new Uint8Array(chunks.length * pixels);
  chunks.forEach((chunk, i) => images.set(chunk, i * pixels));
  return { images, labels: Uint8Array.from(labels), paths, shape: [chunks.length, geometry.size, geometry.size, channelsOf(geometry)] };
}
