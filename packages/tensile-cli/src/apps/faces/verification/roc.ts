/**
 * The ROC curve of a distance used to tell same-person pairs (positives) from different-person pairs:
 * every threshold, the share of same pairs accepted (true accept rate) against the share of different
 * pairs accepted (false accept rate); its area and its equal error rate.
 */
import { ValueError } from 'tensile';
import type { ScoredPair } from './folds.js';

export interface RocPoint {
  /** Share of different-person pairs with distance ≤ `distance`. */
  readonly falseAcceptRate: number;
  /** Share of same-person pairs with distance ≤ `distance`. */
  readonly trueAcceptRate: number;
  readonly distance: number;
}

/** From (0, 0) (accept nothing) to (1, 1) (accept all), one point per distinct distance; tied pairs move together. */
export function rocCurve(pairs: readonly ScoredPair[]): RocPoint[] {
  const sameCount = pairs.filter((p) => p.same).length;
  const differentCount = pairs.length - sameCount;
  if (sameCount === 0 || differentCount === 0) throw new ValueError(`rocCurve: needs same-person and different-person pairs, got ${sameCount} and ${differentCount}`);
  const sorted = [...pairs].sort((a, b) => a.distance - b.distance);
  const points: RocPoint[] = [{ falseAcceptRate: 0, trueAcceptRate: 0, distance: sorted[0]!.distance - 1e-6 }];
  let same = 0;
  let different = 0;
  for (let k = 0; k < sorted.length; k++) {
    if (sorted[k]!.same) same++;
    else different++;
    if (k + 1 < sorted.length && sorted[k + 1]!.distance === sorted[k]!.distance) continue;
    points.push({ falseAcceptRate: different / differentCount, trueAcceptRate: same / sameCount, distance: sorted[k]!.distance });
  }
  return points;
}

/** Area under the curve by trapezoids: the chance that a same pair is nearer than a different pair, ties counting half. */
export function areaUnderCurve(curve: readonly RocPoint[]): number {
  let area = 0;
  for (let k = 1; k < curve.length; k++) {
    area += ((curve[k]!.falseAcceptRate - curve[k - 1]!.falseAcceptRate) * (curve[k]!.trueAcceptRate + curve[k - 1]!.trueAcceptRate)) / 2;
  }
  return area;
}

/**
 * Where the false accept rate equals the false reject rate (1 − true accept rate), interpolated linearly
 * along the curve between the two points that straddle it; with the distance there, interpolated the same way.
 */
export function equalErrorRate(curve: readonly RocPoint[]): { rate: number; distance: number } {
  // gap = FAR − FRR rises from −1 at (0, 0) to 1 at (1, 1) along the curve.
  const gap = (p: RocPoint): number => p.falseAcceptRate - (1 - p.trueAcceptRate);
  for (let k = 1; k < curve.length; k++) {
    const [a, b] = [curve[k - 1]!, curve[k]!];
    if (gap(b) < 0) continue;
    // gap(a) < 0 ≤ gap(b): the previous point was still below.
    const t = -gap(a) / (gap(b) - gap(a));
    return { rate: a.falseAcceptRate + t * (b.falseAcceptRate - a.falseAcceptRate), distance: a.distance + t * (b.distance - a.distance) };
  }
  throw new ValueError('equalErrorRate: the curve does not reach (1, 1)');
}
