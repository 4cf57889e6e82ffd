/** Slices of real MNIST for training tests, loaded once per process from the shared datasets. */
import { labeledImageTensors, type LabeledImageTensors } from '../../src/data/datasets/labeled-images.js';
import { mnist } from '../../src/data/datasets/mnist.node.js';
import { sharedDataRoot } from 'tensile-test-support';

let loaded: ReturnType<typeof mnist> | undefined;

/** The first `trainCount` training and `testCount` test digits (x float32 NHWC in [0, 1], y int32). */
export async function mnistSlice(trainCount: number, testCount: number): Promise<{ train: LabeledImageTensors; test: LabeledImageTensors }> {
  loaded ??= mnist({ root: sharedDataRoot, verify: false });
  const { train, test } = await loaded;
  return { train: labeledImageTensors(train, 0, trainCount), test: labeledImageTensors(test, 0, testCount) };
}
