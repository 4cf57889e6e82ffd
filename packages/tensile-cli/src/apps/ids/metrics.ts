/** Detection metrics from scores and labels: confusion counts, rates, ROC curve and AUC. */
import { ValueError } from 'tensile';

export interface BinaryMetrics {
  readonly accuracy: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly falsePositiveRate: number;
  readonly rocAuc: number;
  /** [[true negatives, false positives], [false negatives, true positives]]; rows are the truth. */
  readonly confusion: [[number, number], [number, number]];
}

function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

function checkLengths(scores: ArrayLike<number>, labels: ArrayLike<number>): void {
  if (scores.length !== labels.length || scores.length === 0) {
    throw new ValueError(`metrics: need as many labels as scores (and at least one), got ${scores.length} scores and ${labels.length} labels`);
  }
}

/** Metrics of the verdicts `score >= threshold` against binary labels (1 = attack). */
export function binaryMetrics(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): BinaryMetrics {
  checkLengths(scores, labels);
  let tp = 0, fp = 0, tn = 0, fn = 0;
  for (let i = 0; i < scores.length; i++) {
    const flagged = scores[i]! >= threshold;
    if (labels[i]) {
      if (flagged) tp++;
      else fn++;
    } else if (flagged) fp++;
    else tn++;
  }
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  return {
    accuracy: (tp + tn) / scores.length,
    precision,
    recall,
    f1: ratio(2 * precision * recall, precision + recall),
    falsePositiveRate: ratio(fp, fp + tn),
    rocAuc: rocCurve(scores, labels).auc,
    confusion: [[tn, fp], [fn, tp]],
  };
}

export interface RocCurve {
  /** (false-positive rate, true-positive rate) from (0, 0) to (1, 1), one point per distinct score. */
  readonly points: { readonly fpr: number; readonly tpr: number; readonly threshold: number }[];
  readonly auc: number;
}

/** The ROC curve, tied scores forming one step, and its area by the trapezoid rule. */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number>): RocCurve {
  checkLengths(scores, labels);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i] ? 1 : 0;
  const negatives = labels.length - positives;
  const points = [{ fpr: 0, tpr: 0, threshold: Infinity }];
  let tp = 0, fp = 0, auc = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    if (labels[i]) tp++;
    else fp++;
    if (k + 1 < order.length && scores[order[k + 1]!] === scores[i]) continue;
    const point = { fpr: ratio(fp, negatives), tpr: ratio(tp, positives), threshold: scores[i]! };
    const last = points[points.length - 1]!;
    auc += ((point.fpr - last.fpr) * (point.tpr + last.tpr)) / 2;
    points.push(point);
  }
  return { points, auc };
}

/**
 * The threshold with the best accuracy of `score >= threshold`: the midpoint between the two
 * distinct scores where the cut is made (ties: the highest such threshold, flagging fewer records).
 */
export function bestAccuracyThreshold(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const { points } = rocCurve(scores, labels);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i] ? 1 : 0;
  const negatives = labels.length - positives;
  let best = 0;
  let bestCorrect = -1;
  points.forEach((p, k) => {
    const correct = p.tpr * positives + (1 - p.fpr) * negatives;
    if (correct > bestCorrect) {
      bestCorrect = correct;
      best = k;
    }
  });
  const cut = points[best]!.threshold;
  const next = points[best + 1]?.threshold;
  if (cut === Infinity) return next === undefined ? 0.5 : next + 1e-6;
  return next === undefined ? cut : (cut + next) / 2;
}

/** `matrix[truth][predicted]` counts over `classes` classes. */
export function confusionMatrix(truth: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): number[][] {
  checkLengths(predicted, truth);
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < truth.length; i++) matrix[truth[i]!]![predicted[i]!]!++;
  return matrix;
}
