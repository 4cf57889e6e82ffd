import { checkOptions } from '../../options.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Metric } from './metric.js';

export interface AUCArgs {
  readonly name?: string;
  /** Thresholds evenly spaced in [0, 1] (default 200, as in Keras). */
  readonly numThresholds?: number;
  /** Predictions are logits: a sigmoid is applied first. */
  readonly fromLogits?: boolean;
}

/**
 * Area under the ROC curve for binary targets, from true/false positive counts at fixed thresholds
 * (trapezoidal rule), accumulated over batches like Keras' AUC.
 */
export class AUC extends Metric<AUCArgs> {
  private truePositives: Float64Array;
  private falsePositives: Float64Array;
  private positives = 0;
  private negatives = 0;

  constructor(args: AUCArgs = {}) {
    checkOptions('AUC', args, ['name', 'numThresholds', 'fromLogits']);
    super(args, 'auc');
    this.truePositives = new Float64Array(this.thresholdCount);
    this.falsePositives = new Float64Array(this.thresholdCount);
  }

  private get thresholdCount(): number {
    return this.args.numThresholds ?? 200;
  }

  update(predictions: Tensor, targets: Tensor): void {
    const p = predictions.dataSync();
    const t = targets.dataSync();
    const n = this.thresholdCount;
    for (let i = 0; i < p.length; i++) {
      const score = this.args.fromLogits ? 1 / (1 + Math.exp(-p[i]!)) : p[i]!;
      const positive = t[i]! > 0.5;
      if (positive) this.positives++;
      else this.negatives++;
      // Counted at every threshold k/(n−1) strictly below the score.
      const above = Math.min(n, Math.max(0, Math.ceil(score * (n - 1))));
      const counts = positive ? this.truePositives : this.falsePositives;
      for (let k = 0; k < above; k++) counts[k]!++;
    }
  }

  result(): number {
    if (this.positives === 0 || this.negatives === 0) return 0;
    let area = 0;
    for (let k = 0; k < this.thresholdCount - 1; k++) {
      const tpr0 = this.truePositives[k]! / this.positives;
      const tpr1 = this.truePositives[k + 1]! / this.positives;
      const fpr0 = this.falsePositives[k]! / this.negatives;
      const fpr1 = this.falsePositives[k + 1]! / this.negatives;
      area += ((fpr0 - fpr1) * (tpr0 + tpr1)) / 2;
    }
    // The last threshold's point to (0, 0).
    const last = this.thresholdCount - 1;
    area += ((this.falsePositives[last]! / this.negatives) * (this.truePositives[last]! / this.positives)) / 2;
    return area;
  }

  reset(): void {
    this.truePositives.fill(0);
    this.falsePositives.fill(0);
    this.positives = 0;
    this.negatives = 0;
  }
}
