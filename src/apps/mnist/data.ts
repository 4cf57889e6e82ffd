/** MNIST arrays → tensors: pixels scaled to [0, 1] as float32 NHWC, labels int32. */
import type { LabeledImages } from '../../data/datasets/labeled-images.js';
import { ValueError } from '../../errors.js';
import { tensor } from '../../ops/creation.js';
import type { Tensor } from '../../tensor/tensor.js';

export interface DigitTensors {
  readonly x: Tensor;
  readonly y: Tensor;
}

/** Samples [start, end) of a split as tensors. */
export function digitTensors(split: LabeledImages, start = 0, end = split.labels.length): DigitTensors {
  if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start < end && end <= split.labels.length)) {
    throw new ValueError(`digitTensors: range [${start}, ${end}) is outside the ${split.labels.length} samples`);
  }
  const pixels = 28 * 28;
  const x = new Float32Array((end - start) * pixels);
  for (let i = 0; i < x.length; i++) x[i] = split.images[start * pixels + i]! / 255;
  const y = Int32Array.from(split.labels.subarray(start, end));
  return { x: tensor(x, [end - start, 28, 28, 1]), y: tensor(y, [end - start]) };
}
