/** Scoring class predictions: accuracy, a confusion matrix, the misclassified items. */

export interface Scored {
  readonly accuracy: number;
  /** confusion[actual][predicted] counts. */
  readonly confusion: number[][];
  /** Indices of the wrongly classified items. */
  readonly wrong: number[];
}

/** Predicted class of each row of `logits` [count, classes] (ties: the lower class). */
export function argmaxRows(logits: Float32Array, classes: number): number[] {
  const count = logits.length / classes;
  return Array.from({ length: count }, (_, i) => {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[i * classes + c]! > logits[i * classes + best]!) best = c;
    return best;
  });
}

/** Softmax of one row of `logits` [count, classes]. */
function softmaxRow(logits: Float32Array, classes: number, row: number): number[] {
  const values = Array.from(logits.subarray(row * classes, (row + 1) * classes));
  const largest = Math.max(...values);
  const exps = values.map((v) => Math.exp(v - largest));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

/** Softmax probability of each row's own argmax. */
export function topProbability(logits: Float32Array, classes: number, row: number): number {
  return Math.max(...softmaxRow(logits, classes, row));
}

export function score(predicted: readonly number[], actual: ArrayLike<number>, classes: number): Scored {
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const wrong: number[] = [];
  predicted.forEach((p, i) => {
    const a = actual[i]!;
    confusion[a]![p]!++;
    if (p !== a) wrong.push(i);
  });
  return { accuracy: 1 - wrong.length / Math.max(1, predicted.length), confusion, wrong };
}

/**
 * The logits of an ensemble: log of the mean of the members' softmax probabilities, row by row (its
 * softmax is that mean). One member's logits are returned as they are.
 */
export function averageSoftmaxLogits(memberLogits: readonly Float32Array[], classes: number): Float32Array {
  if (memberLogits.length === 1) return memberLogits[0]!;
  const out = new Float32Array(memberLogits[0]!.length);
  for (let row = 0; row < out.length / classes; row++) {
    const sums = new Array<number>(classes).fill(0);
    for (const logits of memberLogits) softmaxRow(logits, classes, row).forEach((p, c) => (sums[c]! += p));
    sums.forEach((sum, c) => (out[row * classes + c] = Math.log(sum / memberLogits.length)));
  }
  return out;
}
