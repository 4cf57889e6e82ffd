/** Batched inference of float image classifiers, one network or an ensemble of them. */
import type { Sequential, Tensor } from 'tensile';
import { averageSoftmaxLogits } from './metrics.js';

/**
 * Images per inference batch (prediction, calibration). Kept small: the im2col rows of a 16→16
 * 3×3 conv on 50×50 images take 1.4 MiB per image, and 250 at a time overflowed the 2 GiB WASM heap.
 */
export const INFERENCE_BATCH = 50;

/** Logits of `x` in batches, in inference mode. */
export function predictLogits(model: Sequential, x: Tensor): Float32Array {
  model.train(false);
  return model.predict(x, { batchSize: INFERENCE_BATCH }).dataSync() as Float32Array;
}

/** Logits of an ensemble (see averageSoftmaxLogits); of one network, its own. */
export function ensembleLogits(networks: readonly Sequential[], x: Tensor): Float32Array {
  const logits = networks.map((network) => predictLogits(network, x));
  return averageSoftmaxLogits(logits, logits[0]!.length / x.shape[0]!);
}
