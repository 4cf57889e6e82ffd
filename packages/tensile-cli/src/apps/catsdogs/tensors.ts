/** Prepared 8-bit images → float32 NHWC tensors in [0, 1] and int32 labels, for any subset of indices. */
import { type LabeledImages, tensor, type Tensor } from 'tensile';

export interface ImageTensors {
  readonly x: Tensor;
  readonly y: Tensor;
}

/** The images at `indices` (default all), pixels scaled by 1/255. */
export function imageTensors(set: LabeledImages, indices: readonly number[] = Array.from(set.labels, (_, i) => i)): ImageTensors {
  const [, height, width, channels] = set.shape;
  const pixels = height * width * channels;
  const x = new Float32Array(indices.length * pixels);
  indices.forEach((index, row) => {
    const source = set.images.subarray(index * pixels, (index + 1) * pixels);
    for (let p = 0; p < pixels; p++) x[row * pixels + p] = source[p]! / 255;
  });
  const y = Int32Array.from(indices, (index) => set.labels[index]!);
  return { x: tensor(x, [indices.length, height, width, channels]), y: tensor(y, [indices.length]) };
}
