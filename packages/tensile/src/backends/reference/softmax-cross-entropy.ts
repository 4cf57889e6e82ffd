/**
 * Softmax cross-entropy in one pass over each row of logits (Backend.softmaxCrossEntropy): the row's
 * loss log Σ exp(x − max) − (x[label] − max) and its softmax, sums in float64 and each result rounded
 * once to the logits' type; and the gradient of the losses for the logits, (softmax − onehot(label)) · dy.
 */

type Floats = Float32Array | Float64Array;

/** A zeroed array of `values`' type. */
const like = (values: Floats, length: number): Floats => (values instanceof Float64Array ? new Float64Array(length) : new Float32Array(length));

export function softmaxCrossEntropy(logits: Floats, labels: Int32Array, rows: number, classes: number): [Floats, Floats] {
  const losses = like(logits, rows);
  const softmax = like(logits, rows * classes);
  for (let r = 0; r < rows; r++) {
    const base = r * classes;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[base + c]!);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(logits[base + c]! - max);
    for (let c = 0; c < classes; c++) softmax[base + c] = Math.exp(logits[base + c]! - max) / sum;
    losses[r] = Math.log(sum) - (logits[base + labels[r]!]! - max);
  }
  return [losses, softmax];
}

export function softmaxCrossEntropyGrad(softmax: Floats, labels: Int32Array, dy: Floats, rows: number, classes: number): Floats {
  const dx = like(softmax, rows * classes);
  for (let r = 0; r < rows; r++) {
    const base = r * classes;
    for (let c = 0; c < classes; c++) dx[base + c] = (softmax[base + c]! - (c === labels[r] ? 1 : 0)) * dy[r]!;
  }
  return dx;
}
