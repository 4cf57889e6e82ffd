import { ValueError } from '../../errors.js';
import { tensor } from '../../ops/creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Dataset } from '../dataset.js';
import { RawImage } from '../../io/raw-image.js';
import { checkOptions, optionNames } from '../../options.js';

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

const LABELED_IMAGE_DATASET_OPTION_NAMES = optionNames<LabeledImageDatasetOptions>()('normalize');

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
  checkOptions('labeledImageDataset', options, LABELED_IMAGE_DATASET_OPTION_NAMES);
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

/** Images and labels as tensors: `x` float32 [n, H, W, C] with pixels scaled to [0, 1], `y` int32 [n]. */
export interface LabeledImageTensors {
  readonly x: Tensor;
  readonly y: Tensor;
}

/**
 * Samples [start, end) of a split as tensors, ready for `model.fit(x, y)`.
 *
 * ```ts
 * const { train, test } = await mnist();
 * const { x: xTrain, y: yTrain } = labeledImageTensors(train);
 * ```
 */
export function labeledImageTensors(split: LabeledImages, start = 0, end = split.labels.length): LabeledImageTensors {
  const [count, height, width, channels] = split.shape;
  if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start < end && end <= count)) {
    throw new ValueError(`labeledImageTensors: range [${start}, ${end}) is outside the ${count} samples`);
  }
  const size = height * width * channels;
  const x = new Float32Array((end - start) * size);
  for (let i = 0; i < x.length; i++) x[i] = split.images[start * size + i]! / 255;
  const y = Int32Array.from(split.labels.subarray(start, end));
  return { x: tensor(x, [end - start, height, width, channels]), y: tensor(y, [end - start]) };
}
