/** Detection boxes in pixel coordinates, their overlap and greedy non-maximum suppression. */

/** A scored box: top-left corner (0-based pixels), size in pixels. */
export interface Detection {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly score: number;
}

export type Rect = Omit<Detection, 'score'>;

/** Intersection over union of two boxes (0 when either is empty). */
export function intersectionOverUnion(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (a.width * a.height + b.width * b.height - inter);
}

/**
 * Keeps the best-scoring box of every group overlapping by more than `maxOverlap` IoU, best first;
 * stops once `limit` boxes are kept.
 */
export function nonMaximumSuppression(detections: readonly Detection[], maxOverlap: number, limit = Infinity): Detection[] {
  const sorted = [...detections].sort((a, b) => b.score - a.score);
  const kept: Detection[] = [];
  // Kept corners and areas in flat arrays: the inner loop runs once per (candidate, kept box) pair.
  const corners = new Float64Array(4 * Math.min(sorted.length, limit));
  const areas = new Float64Array(Math.min(sorted.length, limit));
  for (const d of sorted) {
    if (kept.length >= limit) break;
    const x2 = d.x + d.width;
    const y2 = d.y + d.height;
    const area = d.width * d.height;
    let overlaps = false;
    for (let k = 0; k < kept.length && !overlaps; k++) {
      const w = Math.min(x2, corners[4 * k + 2]!) - Math.max(d.x, corners[4 * k]!);
      const h = Math.min(y2, corners[4 * k + 3]!) - Math.max(d.y, corners[4 * k + 1]!);
      if (w > 0 && h > 0) overlaps = (w * h) / (area + areas[k]! - w * h) > maxOverlap;
    }
    if (overlaps) continue;
    corners.set([d.x, d.y, x2, y2], 4 * kept.length);
    areas[kept.length] = area;
    kept.push(d);
  }
  return kept;
}
