/** Slices of real MNIST for training tests, loaded once per process from the shared datasets. */
import { digitTensors, type DigitTensors } from '../../src/apps/mnist/data.js';
import { mnist } from '../../src/data/datasets/mnist.node.js';
import { sharedDataRoot } from './data-root.js';

let loaded: ReturnType<typeof mnist> | undefined;

/** The first `trainCount` training and `testCount` test digits (x float32 NHWC in [0, 1], y int32). */
export async function mnistSlice(trainCount: number, testCount: number): Promise<{ train: DigitTensors; test: DigitTensors }> {
  loaded ??= mnist({ root: sharedDataRoot, verify: false });
  const { train, test } = await loaded;
  return { train: digitTensors(train, 0, trainCount), test: digitTensors(test, 0, testCount) };
}
