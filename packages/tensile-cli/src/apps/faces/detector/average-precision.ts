/**
 * Detection metrics, PASCAL VOC style: every detection of every photograph pooled and sorted by score,
 * each matched greedily to the unmatched true box of its photograph it overlaps most (IoU at least the
 * threshold: a true positive; otherwise, or when that box is already taken, a false positive).
 */
import { intersectionOverUnion, type Detection, type Rect } from 'tensile';

export interface PhotoResult {
  readonly truth: readonly Rect[];
  readonly detections: readonly Detection[];
}

/** Pooled detections in decreasing score, each marked true or false positive. */
export interface MatchedDetections {
  readonly scores: Float64Array;
  readonly truePositive: Uint8Array;
  /** True boxes over all photographs. */
  readonly positives: number;
  readonly photos: number;
}

export function matchDetections(results: readonly PhotoResult[], minOverlap: number): MatchedDetections {
  const pooled = results.flatMap((r, photo) => r.detections.map((d) => ({ d, photo })));
  pooled.sort((a, b) => b.d.score - a.d.score);
  const taken = results.map((r) => new Uint8Array(r.truth.length));
  const truePositive = new Uint8Array(pooled.length);
  pooled.forEach(({ d, photo }, i) => {
    let best = -1;
    let bestOverlap = 0;
    results[photo]!.truth.forEach((box, j) => {
      const overlap = intersectionOverUnion(d, box);
      if (overlap > bestOverlap) {
        bestOverlap = overlap;
        best = j;
      }
    });
    if (best >= 0 && bestOverlap >= minOverlap && !taken[photo]![best]) {
      taken[photo]![best] = 1;
      truePositive[i] = 1;
    }
  });
  return {
    scores: Float64Array.from(pooled, (p) => p.d.score),
    truePositive,
    positives: results.reduce((n, r) => n + r.truth.length, 0),
    photos: results.length,
  };
}

export interface PrPoint {
  readonly recall: number;
  readonly precision: number;
  readonly score: number;
}

/** Precision and recall after each pooled detection. */
export function precisionRecall(m: MatchedDetections): PrPoint[] {
  let tp = 0;
  return Array.from(m.truePositive, (hit, i) => {
    tp += hit;
    return { recall: m.positives === 0 ? 0 : tp / m.positives, precision: tp / (i + 1), score: m.scores[i]! };
  });
}

/** Area under the precision envelope (VOC 2010+): Σ Δrecall · max precision at any recall at least as high. */
export function averagePrecision(m: MatchedDetections): number {
  const curve = precisionRecall(m);
  let ap = 0;
  let envelope = 0;
  for (let i = curve.length - 1; i >= 0; i--) {
    envelope = Math.max(envelope, curve[i]!.precision);
    const previousRecall = i === 0 ? 0 : curve[i - 1]!.recall;
    ap += (curve[i]!.recall - previousRecall) * envelope;
  }
  return ap;
}

/** Recall reached before false positives exceed `perPhoto` per photograph. */
export function recallAtFalsePositives(m: MatchedDetections, perPhoto: number): number {
  const allowed = perPhoto * m.photos;
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < m.truePositive.length; i++) {
    if (m.truePositive[i]) tp++;
    else if (++fp > allowed) break;
  }
  return m.positives === 0 ? 0 : tp / m.positives;
}

/** The lowest score at which precision is still at least `precision` (Infinity when never). */
export function thresholdForPrecision(m: MatchedDetections, precision: number): number {
  let threshold = Infinity;
  for (const point of precisionRecall(m)) if (point.precision >= precision) threshold = point.score;
  return threshold;
}
