/** Accuracy variants: auto-detected, binary, categorical (one-hot), sparse (integer labels), top-k. */
import { checkOptions } from '../../options.js';
import type { Tensor } from '../../tensor/tensor.js';
import { classPairs, Metric } from './metric.js';

/** Shared counting of correct samples. */
abstract class CountingAccuracy<Args extends { readonly name?: string }> extends Metric<Args> {
  private correct = 0;
  private total = 0;

  protected count(correct: number, total: number): void {
    this.correct += correct;
    this.total += total;
  }

  result(): number {
    return this.total === 0 ? 0 : this.correct / this.total;
  }

  reset(): void {
    this.correct = 0;
    this.total = 0;
  }
}

/**
 * Keras' 'accuracy': binary for one output per sample (threshold 0.5), else the argmax class
 * compared with integer labels or one-hot targets.
 */
export class Accuracy extends CountingAccuracy<{ readonly name?: string; readonly threshold?: number }> {
  constructor(args: { readonly name?: string; readonly threshold?: number } = {}) {
    checkOptions('Accuracy', args, ['name', 'threshold']);
    super(args, 'accuracy');
  }

  update(predictions: Tensor, targets: Tensor): void {
    const { predicted, actual } = classPairs(this.constructor.name, predictions, targets, this.args.threshold ?? 0.5);
    this.count(predicted.reduce((n, p, i) => n + (p === actual[i] ? 1 : 0), 0), predicted.length);
  }
}

/** Fraction of elements where (prediction > threshold) equals the 0/1 target. */
export class BinaryAccuracy extends CountingAccuracy<{ readonly name?: string; readonly threshold?: number }> {
  constructor(args: { readonly name?: string; readonly threshold?: number } = {}) {
    checkOptions('BinaryAccuracy', args, ['name', 'threshold']);
    super(args, 'binary_accuracy');
  }

  update(predictions: Tensor, targets: Tensor): void {
    const p = predictions.dataSync();
    const t = targets.dataSync();
    const threshold = this.args.threshold ?? 0.5;
    let correct = 0;
    for (let i = 0; i < p.length; i++) if ((p[i]! > threshold ? 1 : 0) === (t[i]! > 0.5 ? 1 : 0)) correct++;
    this.count(correct, p.length);
  }
}

/** argmax(predictions) = argmax(one-hot targets). */
export class CategoricalAccuracy extends Accuracy {
  constructor(args: { readonly name?: string } = {}) {
    checkOptions('CategoricalAccuracy', args, ['name']);
    super({ name: args.name ?? 'categorical_accuracy' });
  }
}

/** argmax(predictions) = integer label. */
export class SparseCategoricalAccuracy extends Accuracy {
  constructor(args: { readonly name?: string } = {}) {
    checkOptions('SparseCategoricalAccuracy', args, ['name']);
    super({ name: args.name ?? 'sparse_categorical_accuracy' });
  }
}

/** The true class is among the k highest predictions (integer or one-hot targets). */
export class TopKCategoricalAccuracy extends CountingAccuracy<{ readonly name?: string; readonly k?: number }> {
  constructor(args: { readonly name?: string; readonly k?: number } = {}) {
    checkOptions('TopKCategoricalAccuracy', args, ['name', 'k']);
    super(args, `top_${args.k ?? 5}_accuracy`);
  }

  update(predictions: Tensor, targets: Tensor): void {
    const k = this.args.k ?? 5;
    const p = predictions.dataSync();
    const rows = predictions.shape[0]!;
    const cols = predictions.size / rows;
    const { actual } = classPairs(this.constructor.name, predictions, targets);
    let correct = 0;
    for (let r = 0; r < rows; r++) {
      const truth = p[r * cols + actual[r]!]!;
      let higher = 0;
      for (let c = 0; c < cols; c++) if (p[r * cols + c]! > truth) higher++;
      if (higher < k) correct++;
    }
    this.count(correct, rows);
  }
}
