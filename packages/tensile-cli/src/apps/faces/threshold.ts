/**
 * A same/different-person distance threshold chosen from labelled embeddings: every pair of photos,
 * threshold where the balanced accuracy (mean of the same-pair and different-pair accuracies) is highest,
 * midway between the two distances that bound it. Meant for training people only — never the pairs
 * the embedder is scored on.
 */
import { ValueError } from 'tensile';
import { embeddingDistance } from './embedder.js';

export interface ThresholdCalibration {
  readonly threshold: number;
  /** Balanced accuracy at the threshold, in [0, 1]. */
  readonly balancedAccuracy: number;
  readonly samePairs: number;
  readonly differentPairs: number;
  readonly meanSameDistance: number;
  readonly meanDifferentDistance: number;
}

export function calibrateThreshold(embeddings: readonly Float32Array[], labels: readonly number[]): ThresholdCalibration {
  if (embeddings.length !== labels.length) throw new ValueError(`calibrateThreshold: ${embeddings.length} embeddings but ${labels.length} labels`);
  const same: number[] = [];
  const different: number[] = [];
  for (let i = 0; i < embeddings.length; i++) {
    for (let j = i + 1; j < embeddings.length; j++) (labels[i] === labels[j] ? same : different).push(embeddingDistance(embeddings[i]!, embeddings[j]!));
  }
  if (same.length === 0 || different.length === 0) throw new ValueError(`calibrateThreshold: needs both same-person and different-person pairs, got ${same.length} and ${different.length}`);
  // Sweep the distances in order; below the threshold a pair is called "same".
  const all = [...same.map((d) => [d, 1] as const), ...different.map((d) => [d, 0] as const)].sort((a, b) => a[0] - b[0]);
  let sameBelow = 0;
  let differentBelow = 0;
  let best = { accuracy: 0.5, threshold: all[0]![0] - 1e-6 };
  for (let k = 0; k < all.length; k++) {
    if (all[k]![1]) sameBelow++;
    else differentBelow++;
    if (k + 1 < all.length && all[k + 1]![0] === all[k]![0]) continue;
    const accuracy = (sameBelow / same.length + 1 - differentBelow / different.length) / 2;
    if (accuracy > best.accuracy) best = { accuracy, threshold: k + 1 < all.length ? (all[k]![0] + all[k + 1]![0]) / 2 : all[k]![0] + 1e-6 };
  }
  const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
  return {
    threshold: best.threshold, balancedAccuracy: best.accuracy, samePairs: same.length, differentPairs: different.length,
    meanSameDistance: mean(same), meanDifferentDistance: mean(different),
  };
}
