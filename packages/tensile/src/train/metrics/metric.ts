/**
 * Metrics accumulate over batches (`update`), report one number (`result`) and start over (`reset`),
 * as in Keras. They read predictions on the host: metrics never need gradients and the values are small.
 */
import { checkClassLabels } from '../../ops/value-checks.js';
import type { Tensor } from '../../tensor/tensor.js';

export interface MetricConfig {
  readonly className: string;
  readonly config: Readonly<Record<string, number | string | boolean>>;
}

export abstract class Metric<Args extends { readonly name?: string } = { readonly name?: string }> {
  readonly name: string;

  constructor(protected readonly args: Args, defaultName: string) {
    this.name = args.name ?? defaultName;
  }

  abstract update(predictions: Tensor, targets: Tensor): void;
  abstract result(): number;
  abstract reset(): void;

  getConfig(): MetricConfig {
    return { className: this.constructor.name, config: { ...(this.args as Record<string, number | string | boolean>), name: this.name } };
  }
}

/** Running mean of scalar values (used for the loss). */
export class Mean extends Metric {
  private total = 0;
  private count = 0;

  constructor(args: { readonly name?: string } = {}) {
    super(args, 'mean');
  }

  /** Adds a value (weight = number of samples it averages). */
  add(value: number, weight = 1): void {
    this.total += value * weight;
    this.count += weight;
  }

  update(predictions: Tensor): void {
    const v = predictions.dataSync();
    for (let i = 0; i < v.length; i++) this.add(v[i]!);
  }

  result(): number {
    return this.count === 0 ? 0 : this.total / this.count;
  }

  reset(): void {
    this.total = 0;
    this.count = 0;
  }
}

/** Predicted and true classes of a batch, on the host. */
export interface ClassPairs {
  readonly predicted: Int32Array;
  readonly actual: Int32Array;
  /** 2 for binary predictions ([N] or [N, 1] probabilities), else the size of the class axis. */
  readonly numClasses: number;
}

function argmaxRows(values: ArrayLike<number>, rows: number, cols: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < cols; c++) if (values[r * cols + c]! > values[r * cols + best]!) best = c;
    out[r] = best;
  }
  return out;
}

/**
 * Binary when predictions have one value per sample (thresholded); otherwise the argmax class,
 * against integer labels or the argmax of one-hot targets.
 */
export function classPairs(metric: string, predictions: Tensor, targets: Tensor, threshold = 0.5): ClassPairs {
  const p = predictions.dataSync();
  const t = targets.dataSync();
  const rows = predictions.shape[0] ?? 1;
  const cols = predictions.size / Math.max(rows, 1);
  if (cols === 1) {
    return { predicted: Int32Array.from(p, (v) => (v > threshold ? 1 : 0)), actual: Int32Array.from(t, (v) => (v > 0.5 ? 1 : 0)), numClasses: 2 };
  }
  if (targets.size === rows) checkClassLabels(metric, targets, cols);
  const actual = targets.size === rows ? Int32Array.from(t) : argmaxRows(t, rows, cols);
  return { predicted: argmaxRows(p, rows, cols), actual, numClasses: cols };
}
