import { checkOptions, optionNames } from '../../options.js';
import { noGrad } from '../../autograd/graph.js';
import type { StateDict } from '../../nn/module.js';
import { Callback, type Logs } from './callback.js';
import { isImprovement, type MonitorMode, monitored, resolveMode } from './monitor.js';

export interface EarlyStoppingOptions {
  /** Default 'val_loss'. */
  readonly monitor?: string;
  readonly minDelta?: number;
  /** Epochs without improvement before stopping (default 0). */
  readonly patience?: number;
  readonly mode?: MonitorMode;
  /** Put back the weights of the best epoch when training stops. */
  readonly restoreBestWeights?: boolean;
}

/** Stops training when the monitored value stops improving. */
export class EarlyStopping extends Callback {
  private best = Infinity;
  private wait = 0;
  private bestWeights: StateDict | null = null;
  /** The epoch training stopped at (0 if it ran to the end). */
  stoppedEpoch = 0;
  bestEpoch = 0;

  constructor(readonly options: EarlyStoppingOptions = {}) {
    checkOptions('EarlyStopping', options, optionNames<EarlyStoppingOptions>()('monitor', 'minDelta', 'patience', 'mode', 'restoreBestWeights'));
    super();
  }

  private get monitor(): string {
    return this.options.monitor ?? 'val_loss';
  }

  private get mode(): 'min' | 'max' {
    return resolveMode(this.monitor, this.options.mode);
  }

  override onTrainBegin(): void {
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.bestWeights = null;
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    const value = monitored(logs, this.monitor, 'EarlyStopping');
    if (isImprovement(value, this.best, this.mode, this.options.minDelta ?? 0)) {
      this.best = value;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.options.restoreBestWeights) this.snapshot();
      return;
    }
    if (++this.wait > (this.options.patience ?? 0)) {
      this.stoppedEpoch = epoch;
      this.model.stopTraining = true;
    }
  }

  override onTrainEnd(): void {
    if (this.options.restoreBestWeights && this.bestWeights) this.model.loadStateDict(this.bestWeights);
  }

  private snapshot(): void {
    const state = this.model.stateDict();
    this.bestWeights = noGrad(() => Object.fromEntries(Object.entries(state).map(([k, t]) => [k, t.clone().keep()])));
  }
}
