/**
 * Thresholds of the combined detector, chosen on the validation split (docs/ids/NOTES.md). The
 * criterion is the "shift-balanced accuracy": the mean of the rates of normal records passed,
 * known-type attacks flagged and unseen-type attacks flagged, so that detecting attack types the
 * detector never saw counts as much as detecting the known ones, whatever their record counts.
 */
import { ValueError } from 'tensile';

/** A validation record's group: normal traffic, an attack type seen in fitting, or one held out of it. */
export const NORMAL = 0;
export const KNOWN_ATTACK = 1;
export const UNSEEN_ATTACK = 2;

/** Shares of the validation normal records that a candidate threshold flags: 0, 0.5%, …, 20%. */
export const FLAGGED_NORMAL_SHARES: readonly number[] = Array.from({ length: 41 }, (_, i) => i * 0.005);

/** The mean over the groups present of: normal passed, known attacks flagged, unseen attacks flagged. */
export function shiftBalancedAccuracy(flagged: ArrayLike<boolean>, groups: ArrayLike<number>): number {
  if (flagged.length !== groups.length || groups.length === 0) {
    throw new ValueError(`shiftBalancedAccuracy: need one group per verdict (and at least one), got ${flagged.length} verdicts and ${groups.length} groups`);
  }
  const right = [0, 0, 0];
  const total = [0, 0, 0];
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i]!;
    total[group]!++;
    if (flagged[i] === (group !== NORMAL)) right[group]!++;
  }
  const rates = total.flatMap((count, group) => (count === 0 ? [] : [right[group]! / count]));
  return rates.reduce((a, b) => a + b, 0) / rates.length;
}

/**
 * Thresholds (`score >= t` flags) that flag about each share of the normal records: for share q
 * the ⌈q·n⌉-th highest normal score; for 0, just above the highest.
 */
export function normalShareCuts(scores: ArrayLike<number>, groups: ArrayLike<number>, shares: readonly number[] = FLAGGED_NORMAL_SHARES): number[] {
  const normal = Array.from(scores).filter((_, i) => groups[i] === NORMAL).sort((a, b) => b - a);
  if (normal.length === 0) throw new ValueError('normalShareCuts: the validation records include no normal record');
  return shares.map((share) => {
    const k = Math.ceil(share * normal.length - 1e-9);
    return k === 0 ? normal[0]! + Math.abs(normal[0]!) * 1e-6 + 1e-9 : normal[Math.min(k, normal.length) - 1]!;
  });
}

export interface ThresholdChoice {
  readonly threshold: number;
  /** The shift-balanced accuracy it reaches on the records it was chosen on. */
  readonly criterion: number;
}

/** The candidate threshold with the best shift-balanced accuracy (ties: the first, flagging fewest normal records). */
export function bestThreshold(scores: ArrayLike<number>, groups: ArrayLike<number>, extraCuts: readonly number[] = []): ThresholdChoice {
  let best: ThresholdChoice = { threshold: NaN, criterion: -1 };
  for (const threshold of [...normalShareCuts(scores, groups), ...extraCuts]) {
    const criterion = shiftBalancedAccuracy(Array.from(scores, (s) => s >= threshold), groups);
    if (criterion > best.criterion) best = { threshold, criterion };
  }
  return best;
}

export interface EitherThresholds {
  readonly supervised: number;
  readonly anomaly: number;
}

export interface EitherChoice extends EitherThresholds {
  readonly criterion: number;
}

/** The pair of thresholds for "supervised ≥ t_s or anomaly ≥ t_a" with the best shift-balanced accuracy. */
export function bestEitherThresholds(supervised: ArrayLike<number>, anomaly: ArrayLike<number>, groups: ArrayLike<number>, extraSupervisedCuts: readonly number[] = []): EitherChoice {
  const supervisedCuts = [...normalShareCuts(supervised, groups), ...extraSupervisedCuts];
  let best: EitherChoice = { supervised: NaN, anomaly: NaN, criterion: -1 };
  for (const a of normalShareCuts(anomaly, groups)) {
    for (const s of supervisedCuts) {
      const criterion = shiftBalancedAccuracy(Array.from(supervised, (score, i) => score >= s || anomaly[i]! >= a), groups);
      if (criterion > best.criterion) best = { supervised: s, anomaly: a, criterion };
    }
  }
  return best;
}

/**
 * One score for the combined verdict: max(supervised / t_s, anomaly / t_a), an attack at ≥ 1 —
 * exactly when either part says attack (both thresholds are positive).
 */
export function eitherScore(supervised: number, anomaly: number, thresholds: EitherThresholds): number {
  return Math.max(supervised / thresholds.supervised, anomaly / thresholds.anomaly);
}
