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

/** What a threshold maximises: the share of pairs called right, or the mean of the same-pair and different-pair shares. */
export type ThresholdObjective = 'accuracy' | 'balanced-accuracy';

/**
 * The distance threshold (a pair below it is called "same") maximising `objective` over the labelled
 * distances: the first best one in increasing distance, midway between the two distances that bound it.
 */
export function bestThreshold(same: readonly number[], different: readonly number[], objective: ThresholdObjective): { threshold: number; score: number } {
  if (same.length + different.length === 0) throw new ValueError('bestThreshold: no distances');
  const all = [...same.map((d) => [d, 1] as const), ...different.map((d) => [d, 0] as const)].sort((a, b) => a[0] - b[0]);
  let sameBelow = 0;
  let differentBelow = 0;
  const score = (): number => objective === 'accuracy'
    ? (sameBelow + different.length - differentBelow) / all.length
    : (sameBelow / same.length + 1 - differentBelow / different.length) / 2;
  let best = { score: score(), threshold: all[0]![0] - 1e-6 };
  for (let k = 0; k < all.length; k++) {
    if (all[k]![1]) sameBelow++;
    else differentBelow++;
    if (k + 1 < all.length && all[k + 1]![0] === all[k]![0]) continue;
    const current = score();
    if (current > best.score) best = { score: current, threshold: k + 1 < all.length ? (all[k]![0] + all[k + 1]![0]) / 2 : all[k]![0] + 1e-6 };
  }
  return best;
}

export function calibrateThreshold(embeddings: readonly Float32Array[], labels: readonly number[]): ThresholdCalibration {
  if (embeddings.length !== labels.length) throw new ValueError(`calibrateThreshold: ${embeddings.length} embeddings but ${labels.length} labels`);
  const same: number[] = [];
  const different: number[] = [];
  for (let i = 0; i < embeddings.length; i++) {
    for (let j = i + 1; j < embeddings.length; j++) (labels[i] === labels[j] ? same : different).push(embeddingDistance(embeddings[i]!, embeddings[j]!));
  }
  if (same.length === 0 || different.length === 0) throw new ValueError(`calibrateThreshold: needs both same-person and different-person pairs, got ${same.length} and ${different.length}`);
  const best = bestThreshold(same, different, 'balanced-accuracy');
  const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
  return {
    threshold: best.threshold, balancedAccuracy: best.score, samePairs: same.length, differentPairs: different.length,
    meanSameDistance: mean(same), meanDifferentDistance: mean(different),
  };
}
