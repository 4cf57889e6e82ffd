/**
 * Verification on held-out training people: the threshold saved in the model is calibrated on all their
 * pairs (threshold.ts); the validation accuracy is two-fold across people — the threshold calibrated on
 * one half of the people scores the pairs of the other half, and the two accuracies are averaged — so the
 * figure is not measured on the pairs that chose its threshold.
 */
import { ValueError } from 'tensile';
import { embeddingDistance } from '../embedder.js';
import { calibrateThreshold, type ThresholdCalibration } from '../threshold.js';

export interface HeldOutVerification {
  readonly calibration: ThresholdCalibration;
  /** Mean balanced accuracy of the two folds, in [0, 1]. */
  readonly crossValidatedAccuracy: number;
  readonly foldAccuracies: readonly [number, number];
}

/** Balanced accuracy (mean of the same-pair and different-pair accuracies) of every pair at `threshold`. */
export function balancedAccuracyAt(embeddings: readonly Float32Array[], labels: readonly number[], threshold: number): number {
  let [same, sameRight, different, differentRight] = [0, 0, 0, 0];
  for (let i = 0; i < embeddings.length; i++) {
    for (let j = i + 1; j < embeddings.length; j++) {
      const near = embeddingDistance(embeddings[i]!, embeddings[j]!) < threshold;
      if (labels[i] === labels[j]) {
        same++;
        if (near) sameRight++;
      } else {
        different++;
        if (!near) differentRight++;
      }
    }
  }
  if (same === 0 || different === 0) throw new ValueError(`balancedAccuracyAt: needs both same-person and different-person pairs, got ${same} and ${different}`);
  return (sameRight / same + differentRight / different) / 2;
}

export function heldOutVerification(embeddings: readonly Float32Array[], labels: readonly number[]): HeldOutVerification {
  const people = [...new Set(labels)].sort((a, b) => a - b);
  const inFirstHalf = new Set(people.filter((_, i) => i % 2 === 0));
  const half = (first: boolean): { e: Float32Array[]; l: number[] } => {
    const rows = labels.flatMap((label, i) => (inFirstHalf.has(label) === first ? [i] : []));
    return { e: rows.map((i) => embeddings[i]!), l: rows.map((i) => labels[i]!) };
  };
  const [a, b] = [half(true), half(false)];
  const aOnB = balancedAccuracyAt(b.e, b.l, calibrateThreshold(a.e, a.l).threshold);
  const bOnA = balancedAccuracyAt(a.e, a.l, calibrateThreshold(b.e, b.l).threshold);
  return { calibration: calibrateThreshold(embeddings, labels), crossValidatedAccuracy: (aOnB + bOnA) / 2, foldAccuracies: [aOnB, bOnA] };
}
