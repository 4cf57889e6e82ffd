/**
 * Lowers an optimizer's learning rate when a monitored value stops improving (PyTorch's
 * ReduceLROnPlateau); the Keras callback of the same purpose wraps it.
 *
 * ```ts
 * const plateau = new ReduceLROnPlateauScheduler(optimizer, { factor: 0.5, patience: 2 });
 * for (…each epoch…) plateau.step(validationLoss);
 * ```
 */
import { ValueError } from '../errors.js';
import type { Optimizer } from './optimizer.js';

export interface PlateauOptions {
  /** 'min' for losses (default), 'max' for accuracies. */
  readonly mode?: 'min' | 'max';
  /** New rate = rate·factor (default 0.1). */
  readonly factor?: number;
  /** Epochs without improvement before reducing (default 10). */
  readonly patience?: number;
  /** Smallest change that counts as an improvement (default 1e-4). */
  readonly minDelta?: number;
  /** Epochs to wait after a reduction before counting again (default 0). */
  readonly cooldown?: number;
  readonly minLearningRate?: number;
}

export class ReduceLROnPlateauScheduler {
  private best: number;
  private wait = 0;
  private cooldownLeft = 0;

  constructor(
    readonly optimizer: Optimizer,
    readonly options: PlateauOptions = {},
  ) {
    const factor = options.factor ?? 0.1;
    if (!(factor > 0 && factor < 1)) throw new ValueError(`ReduceLROnPlateau: factor must be in (0, 1), got ${factor}`);
    this.best = options.mode === 'max' ? -Infinity : Infinity;
  }

  /** Records one value; returns the new learning rate when it was reduced, else null. */
  step(value: number): number | null {
    const delta = this.options.minDelta ?? 1e-4;
    const improved = this.options.mode === 'max' ? value > this.best + delta : value < this.best - delta;
    if (improved) {
      this.best = value;
      this.wait = 0;
    } else if (this.cooldownLeft > 0) {
      this.cooldownLeft--;
    } else if (++this.wait >= (this.options.patience ?? 10)) {
      if (typeof this.optimizer.learningRate !== 'number') throw new ValueError('ReduceLROnPlateau: the optimizer uses a schedule; give it a constant learning rate');
      const lr = Math.max(this.optimizer.learningRate * (this.options.factor ?? 0.1), this.options.minLearningRate ?? 0);
      this.wait = 0;
      this.cooldownLeft = this.options.cooldown ?? 0;
      if (lr < this.optimizer.learningRate) {
        this.optimizer.learningRate = lr;
        return lr;
      }
    }
    return null;
  }
}
