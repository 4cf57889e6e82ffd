/**
 * LFW's verification protocol on a list of labelled pair distances: ten folds, the threshold chosen on
 * nine (highest accuracy) and applied to the tenth. LFW's own folds (View 2, `pairs.txt`) each hold a
 * tenth of the same-person pairs and a tenth of the different-person pairs, in file order; the same rule
 * gives every fold of DevTest (500 same pairs, then 500 different) 50 of each.
 */
import { ValueError } from 'tensile';
import { bestThreshold } from '../threshold.js';

export const LFW_FOLDS = 10;

/** A pair's distance between embeddings and whether it shows one person. */
export interface ScoredPair {
  readonly distance: number;
  readonly same: boolean;
}

/** The fold of each pair: the k-th tenth of the same pairs and the k-th tenth of the different pairs, in order. */
export function verificationFolds(pairs: readonly { readonly same: boolean }[], folds = LFW_FOLDS): number[] {
  const counts = { same: pairs.filter((p) => p.same).length, different: pairs.filter((p) => !p.same).length };
  if (counts.same < folds || counts.different < folds) {
    throw new ValueError(`verificationFolds: ${folds} folds need at least ${folds} same-person and ${folds} different-person pairs, got ${counts.same} and ${counts.different}`);
  }
  const seen = { same: 0, different: 0 };
  return pairs.map((p) => {
    const kind = p.same ? 'same' : 'different';
    return Math.floor((seen[kind]++ * folds) / counts[kind]);
  });
}

export interface Decisions {
  /** Share of pairs called right (same below the threshold, different at or above it). */
  readonly accuracy: number;
  /** Share of same-person pairs called "same" (true accept rate). */
  readonly sameAccuracy: number;
  /** Share of different-person pairs called "different" (true reject rate). */
  readonly differentAccuracy: number;
}

export function decisionsAt(pairs: readonly ScoredPair[], threshold: number): Decisions {
  const same = pairs.filter((p) => p.same);
  const different = pairs.filter((p) => !p.same);
  const sameRight = same.filter((p) => p.distance < threshold).length;
  const differentRight = different.filter((p) => p.distance >= threshold).length;
  return {
    accuracy: (sameRight + differentRight) / pairs.length,
    sameAccuracy: sameRight / same.length,
    differentAccuracy: differentRight / different.length,
  };
}

export interface FoldResult extends Decisions {
  readonly fold: number;
  readonly pairs: number;
  /** Chosen on the other folds. */
  readonly threshold: number;
  /** Accuracy of that threshold on the other folds. */
  readonly trainAccuracy: number;
}

/** For each fold, the threshold of highest accuracy on the other folds, and how it decides the fold's own pairs. */
export function crossValidate(pairs: readonly ScoredPair[], folds = LFW_FOLDS): FoldResult[] {
  const foldOf = verificationFolds(pairs, folds);
  return Array.from({ length: folds }, (_, fold) => {
    const train = pairs.filter((_, i) => foldOf[i] !== fold);
    const test = pairs.filter((_, i) => foldOf[i] === fold);
    const { threshold, score } = bestThreshold(train.filter((p) => p.same).map((p) => p.distance), train.filter((p) => !p.same).map((p) => p.distance), 'accuracy');
    return { fold: fold + 1, pairs: test.length, threshold, trainAccuracy: score, ...decisionsAt(test, threshold) };
  });
}
