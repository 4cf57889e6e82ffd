import { checkOptions, optionNames } from '../../options.js';
import { ReduceLROnPlateauScheduler, type PlateauOptions } from '../../optim/plateau.js';
import { Callback, type Logs } from './callback.js';
import { type MonitorMode, monitored, resolveMode } from './monitor.js';

export interface ReduceLROnPlateauOptions extends Omit<PlateauOptions, 'mode'> {
  /** Default 'val_loss'. */
  readonly monitor?: string;
  readonly mode?: MonitorMode;
}

/** Multiplies the learning rate by `factor` after `patience` epochs without improvement; logs `learning_rate`. */
export class ReduceLROnPlateau extends Callback {
  private scheduler: ReduceLROnPlateauScheduler | null = null;

  constructor(readonly options: ReduceLROnPlateauOptions = {}) {
    checkOptions('ReduceLROnPlateau', options, optionNames<ReduceLROnPlateauOptions>()('monitor', 'mode', 'factor', 'patience', 'minDelta', 'cooldown', 'minLearningRate'));
    super();
  }

  override onTrainBegin(): void {
    const monitor = this.options.monitor ?? 'val_loss';
    this.scheduler = new ReduceLROnPlateauScheduler(this.model.compiled!.optimizer, { ...this.options, mode: resolveMode(monitor, this.options.mode) });
  }

  override onEpochEnd(_epoch: number, logs: Logs): void {
    this.scheduler!.step(monitored(logs, this.options.monitor ?? 'val_loss', 'ReduceLROnPlateau'));
    logs['learning_rate'] = this.model.compiled!.optimizer.currentLearningRate;
  }
}
