/**
 * The callback interface of `fit` (Keras'): override any hook; `this.model` is set before training.
 *
 * ```ts
 * class PrintLoss extends Callback {
 *   override onEpochEnd(epoch: number, logs: Logs): void { console.log(epoch, logs.loss); }
 * }
 * ```
 * Hooks may return a promise (file writes); fit awaits it.
 */
import type { Model } from '../../nn/model.js';
import type { SymbolicTensor } from '../../nn/symbolic.js';

/** Loss and metric values by name ('loss', 'accuracy', 'val_loss' …). */
export type Logs = Record<string, number>;

export type AnyModel = Model<SymbolicTensor | readonly SymbolicTensor[]>;

/** What fit tells callbacks about the run. */
export interface TrainingParams {
  readonly epochs: number;
  /** Batches per epoch, when known (tensors, or a dataset with a known length). */
  readonly steps: number | null;
  readonly verbose: number;
}

type Maybe = void | Promise<void>;

export class Callback {
  private attached: AnyModel | null = null;
  params: TrainingParams = { epochs: 0, steps: null, verbose: 0 };

  /** The model being trained (set by fit). */
  get model(): AnyModel {
    if (!this.attached) throw new Error(`${this.constructor.name}: no model yet; callbacks receive one when fit starts`);
    return this.attached;
  }

  setModel(model: AnyModel): void {
    this.attached = model;
  }

  onTrainBegin(_logs: Logs): Maybe {}
  onTrainEnd(_logs: Logs): Maybe {}
  onEpochBegin(_epoch: number): Maybe {}
  onEpochEnd(_epoch: number, _logs: Logs): Maybe {}
  onBatchBegin(_batch: number): Maybe {}
  onBatchEnd(_batch: number, _logs: Logs): Maybe {}
}

/** Runs every callback's hook in order, awaiting each. */
export class CallbackList {
  constructor(readonly callbacks: readonly Callback[]) {}

  async trainBegin(logs: Logs): Promise<void> {
    for (const c of this.callbacks) await c.onTrainBegin(logs);
  }

  async trainEnd(logs: Logs): Promise<void> {
    for (const c of this.callbacks) await c.onTrainEnd(logs);
  }

  async epochBegin(epoch: number): Promise<void> {
    for (const c of this.callbacks) await c.onEpochBegin(epoch);
  }

  async epochEnd(epoch: number, logs: Logs): Promise<void> {
    for (const c of this.callbacks) await c.onEpochEnd(epoch, logs);
  }

  async batchBegin(batch: number): Promise<void> {
    for (const c of this.callbacks) await c.onBatchBegin(batch);
  }

  async batchEnd(batch: number, logs: Logs): Promise<void> {
    for (const c of this.callbacks) await c.onBatchEnd(batch, logs);
  }
}
