import { Dataset } from '../dataset.js';
import { RawImage } from '../../io/raw-image.js';

/** Same-sized images stored back to back (N×H×W×C, 8-bit) with one class label each. */
export interface LabeledImages {
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  /** `[count, height, width, channels]`. */
  readonly shape: readonly [number, number, number, number];
}

export interface LabeledImageDatasetOptions {
  /** Scale pixels to [0, 1] float32 (default true); false keeps 8-bit pixels. */
  readonly normalize?: boolean;
}

/**
 * A Dataset of `{x: image, y: label}` over LabeledImages; `.batch(n)` gives `{x: [n,H,W,C], y: [n]}`.
 *
 * ```ts
 * const { train } = await mnist();
 * const batches = labeledImageDataset(train).shuffle(60000, 1).batch(64);
 * ```
 */
export function labeledImageDataset(split: LabeledImages, options: { normalize: false }): Dataset<{ x: RawImage; y: number }>;
export function labeledImageDataset(split: LabeledImages, options?: LabeledImageDatasetOptions): Dataset<{ x: RawImage<Float32Array>; y: number }>;
export function labeledImageDataset(
  split: LabeledImages,
  options: LabeledImageDatasetOptions = {},
): Dataset<{ x: RawImage<Float32Array> | RawImage; y: number }> {
  const [count, height, width, channels] = split.shape;
  const size = height * width * channels;
  const normalize = options.normalize ?? true;
  return Dataset.fromGenerator(function* () {
    for (let i = 0; i < count; i++) {
      const pixels = split.images.subarray(i * size, (i + 1) * size);
      const x = normalize ? new RawImage(Float32Array.from(pixels, (p) => p / 255), width, height, channels) : new RawImage(pixels, width, height, channels);
      yield { x, y: split.labels[i]! };
    }
  });
}
