/**
 * The anomaly part of the combined detector (issue #29), after GANomaly/EGBAD: an encoder E and a
 * generator G learn to reconstruct *normal* records, G(E(x)) ≈ x, while a discriminator D learns
 * to tell records from their reconstructions; E and G also make D's features of the reconstruction
 * match those of the record (AnoGAN's discrimination loss). Trained on normal traffic only, the
 * model explains normal records well and any attack — seen in training or not — poorly, which is
 * what the anomaly score measures.
 */
import { add, binaryCrossEntropyWithLogits, full, mean, mul, noGrad, type Optimizer, scope, type Sequential, square, sub, tensor, type Tensor, zeros } from 'tensile';
import { attackLogits, penultimate } from './network.js';
import { batchOf, type EncodedSet } from './training.js';

export interface AnomalyNetworks {
  readonly encoder: Sequential;
  readonly generator: Sequential;
  /** The detector network; its attack logit says "reconstruction", its last hidden layer gives the features. */
  readonly discriminator: Sequential;
}

export interface AnomalyOptimizers {
  /** Over E's and G's parameters. */
  readonly reconstruction: Optimizer;
  readonly discriminator: Optimizer;
}

/** Per-record mean square over the feature axis, `[n]`. */
function rowMeanSquare(a: Tensor, b: Tensor): Tensor {
  return mean(square(sub(a, b)), 1);
}

/**
 * Per-record anomaly score terms `[n]`: the reconstruction error and the distance between D's
 * features of x and of its reconstruction, mixed as (1 − w)·reconstruction + w·features.
 */
function scoreTerms(networks: AnomalyNetworks, x: Tensor, featureWeight: number): { loss: Tensor; reconstruction: Tensor } {
  const reconstruction = networks.generator.forward(networks.encoder.forward(x));
  const target = noGrad(() => penultimate(networks.discriminator, x));
  const features = rowMeanSquare(penultimate(networks.discriminator, reconstruction), target);
  return { loss: add(mul(rowMeanSquare(reconstruction, x), 1 - featureWeight), mul(features, featureWeight)), reconstruction };
}

/** One training step on a batch of normal records: E and G first, then D. Returns E/G's loss. */
export function anomalyStep(networks: AnomalyNetworks, optimizers: AnomalyOptimizers, normal: EncodedSet, featureWeight: number): (rows: readonly number[]) => number {
  const { discriminator } = networks;
  return (rows) =>
    scope(() => {
      const { x } = batchOf(normal, rows, 0);
      const { loss: perRecord, reconstruction } = scoreTerms(networks, x, featureWeight);
      const loss = mean(perRecord);
      // D's gradients from this backward are discarded: zeroGrad clears them before D's own step.
      optimizers.reconstruction.zeroGrad();
      optimizers.discriminator.zeroGrad();
      loss.backward();
      optimizers.reconstruction.step();
      const n = rows.length;
      const discriminatorLoss = add(
        binaryCrossEntropyWithLogits(attackLogits(discriminator.forward(x)), zeros([n, 1])),
        binaryCrossEntropyWithLogits(attackLogits(discriminator.forward(reconstruction.detach())), full([n, 1], 1)),
      );
      optimizers.discriminator.zeroGrad();
      discriminatorLoss.backward();
      optimizers.discriminator.step();
      return loss.item();
    });
}

/** Anomaly scores of `count` encoded records (row-major `[count, width]`), in batches, without a graph. */
export function anomalyScores(networks: AnomalyNetworks, features: Float32Array, count: number, width: number, featureWeight: number, batchSize = 2048): Float32Array {
  const scores = new Float32Array(count);
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const out = noGrad(() => scope(() => scoreTerms(networks, tensor(features.slice(start * width, (start + n) * width), [n, width]), featureWeight).loss.keep()));
    scores.set(out.dataSync(), start);
    out.dispose();
  }
  return scores;
}
