/**
 * Metrics from the confusion matrix: the matrix itself, precision, recall and F1. Binary for one
 * prediction per sample (thresholded), else multi-class by argmax with a macro average.
 */
import { checkOptions } from '../../options.js';
import { ValueError } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { classPairs, Metric } from './metric.js';

export interface ConfusionArgs {
  readonly name?: string;
  /** Probability above which a binary prediction is positive (default 0.5; use 0 for logits). */
  readonly threshold?: number;
}

/** Counts [actual][predicted]; `result()` is the accuracy on the diagonal. */
export class ConfusionMatrix extends Metric<ConfusionArgs & { readonly numClasses?: number }> {
  private counts: number[][] = [];

  constructor(args: ConfusionArgs & { readonly numClasses?: number } = {}) {
    checkOptions('ConfusionMatrix', args, ['name', 'threshold', 'numClasses']);
    super(args, 'confusion_matrix');
  }

  update(predictions: Tensor, targets: Tensor): void {
    const { predicted, actual, numClasses } = classPairs(this.constructor.name, predictions, targets, this.args.threshold ?? 0.5);
    const n = this.args.numClasses ?? numClasses;
    if (this.counts.length === 0) this.counts = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    predicted.forEach((p, i) => {
      const a = actual[i]!;
      if (a < 0 || a >= n || p >= n) throw new ValueError(`${this.name}: class ${Math.max(a, p)} is outside [0, ${n})`);
      this.counts[a]![p]!++;
    });
  }

  /** counts[actual][predicted]. */
  get matrix(): readonly (readonly number[])[] {
    return this.counts;
  }

  result(): number {
    const total = this.counts.flat().reduce((a, b) => a + b, 0);
    return total === 0 ? 0 : this.counts.reduce((s, row, i) => s + row[i]!, 0) / total;
  }

  reset(): void {
    this.counts = [];
  }

  /** Per class: [true positives, predicted positives, actual positives]. */
  protected perClass(): [number, number, number][] {
    return this.counts.map((row, c) => [row[c]!, this.counts.reduce((s, r) => s + r[c]!, 0), row.reduce((a, b) => a + b, 0)]);
  }

  /** The positive class only for binary problems, every class otherwise (macro average). */
  protected averaged(score: (tp: number, predicted: number, actual: number) => number): number {
    const classes = this.perClass();
    if (classes.length === 0) return 0;
    const used = classes.length === 2 ? [classes[1]!] : classes;
    return used.reduce((s, [tp, p, a]) => s + score(tp, p, a), 0) / used.length;
  }
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/** True positives over predicted positives. */
export class Precision extends ConfusionMatrix {
  constructor(args: ConfusionArgs = {}) {
    checkOptions('Precision', args, ['name', 'threshold']);
    super({ ...args, name: args.name ?? 'precision' });
  }

  override result(): number {
    return this.averaged((tp, predicted) => ratio(tp, predicted));
  }
}

/** True positives over actual positives. */
export class Recall extends ConfusionMatrix {
  constructor(args: ConfusionArgs = {}) {
    checkOptions('Recall', args, ['name', 'threshold']);
    super({ ...args, name: args.name ?? 'recall' });
  }

  override result(): number {
    return this.averaged((tp, _predicted, actual) => ratio(tp, actual));
  }
}

/** Harmonic mean of precision and recall. */
export class F1Score extends ConfusionMatrix {
  constructor(args: ConfusionArgs = {}) {
    checkOptions('F1Score', args, ['name', 'threshold']);
    super({ ...args, name: args.name ?? 'f1_score' });
  }

  override result(): number {
    return this.averaged((tp, predicted, actual) => ratio(2 * tp, predicted + actual));
  }
}
