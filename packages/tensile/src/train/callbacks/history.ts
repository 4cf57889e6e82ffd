import { Callback, type Logs } from './callback.js';

/** Every epoch's logs; `fit` returns it. `history.history.loss[i]` is the loss of epoch i. */
export class History extends Callback {
  readonly epoch: number[] = [];
  readonly history: Record<string, number[]> = {};

  override onEpochEnd(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [key, value] of Object.entries(logs)) (this.history[key] ??= []).push(value);
  }
}
