/**
 * SWSNM's adversarial training, as one step function for the epoch loop. D is the detector: it
 * learns normal vs attack (and the 5 categories) on real records, and G's synthetic records as an
 * extra "malicious/fake" class. G is trained by feature matching (Salimans et al. 2016): its
 * records must match the mean of D's last hidden layer on the batch's real *normal* records. G
 * thus produces traffic that resembles normal traffic closely without copying it, and D, made to
 * reject it, learns a tighter region around genuine normal traffic — the hoped-for gain on attacks
 * never seen in training. One G update per D update.
 */
import { add, binaryCrossEntropyWithLogits, full, gather, mean, mul, noGrad, type Optimizer, randn, scope, type Sequential, square, sub, tensor, zeros } from 'tensile';
import { attackLogits, penultimate } from './network.js';
import { batchOf, detectorLoss, type EncodedSet } from './training.js';
import type { GanSettings } from './variants.js';

export interface GanParts {
  readonly detector: Sequential;
  readonly generator: Sequential;
  readonly detectorOptimizer: Optimizer;
  readonly generatorOptimizer: Optimizer;
}

export function ganStep(parts: GanParts, set: EncodedSet, settings: GanSettings, labelSmoothing: number): (rows: readonly number[]) => number {
  const { detector, generator, detectorOptimizer, generatorOptimizer } = parts;
  return (rows) =>
    scope(() => {
      const batch = batchOf(set, rows, labelSmoothing);
      const fakes = Math.max(1, Math.round(rows.length * settings.fakeFraction));
      if (batch.normalRows.length > 0) {
        const normal = gather(batch.x, tensor(Int32Array.from(batch.normalRows), [batch.normalRows.length]), 0);
        const target = noGrad(() => mean(penultimate(detector, normal), 0));
        const synthetic = generator.forward(randn([fakes, settings.noiseSize]));
        const generatorLoss =
          settings.generatorLoss === 'feature-matching'
            ? mean(square(sub(mean(penultimate(detector, synthetic), 0), target)))
            : binaryCrossEntropyWithLogits(attackLogits(detector.forward(synthetic)), zeros([fakes, 1]));
        // D's gradients from this backward are discarded: zeroGrad clears them before D's own step.
        generatorOptimizer.zeroGrad();
        detectorOptimizer.zeroGrad();
        generatorLoss.backward();
        generatorOptimizer.step();
      }
      const synthetic = noGrad(() => generator.forward(randn([fakes, settings.noiseSize])));
      // Fakes are "malicious", with the same smoothed target as real attacks.
      const fakeLoss = binaryCrossEntropyWithLogits(attackLogits(detector.forward(synthetic)), full([fakes, 1], 1 - labelSmoothing / 2));
      const loss = add(detectorLoss(detector.forward(batch.x), batch, labelSmoothing), mul(fakeLoss, settings.fakeWeight));
      detectorOptimizer.zeroGrad();
      loss.backward();
      detectorOptimizer.step();
      return loss.item();
    });
}
