import { TensileError } from '../errors.js';

/** fit/evaluate misuse: not compiled, inconsistent data, multi-output models where one is expected. */
export class TrainingError extends TensileError {}

/** The training loss became NaN or infinite. */
export class NonFiniteLossError extends TrainingError {
  constructor(
    message: string,
    /** Epoch (0-based) and batch of the bad step, and the last finite loss (NaN if none). */
    readonly epoch: number,
    readonly batch: number,
    readonly lastFiniteLoss: number,
  ) {
    super(message);
  }
}
