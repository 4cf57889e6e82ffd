import { Callback, type Logs } from './callback.js';

/**
 * Stops training at the first batch whose loss is NaN or infinite, with one warning and no error
 * (Keras' TerminateOnNaN): given this callback, fit's `stopOnNonFiniteLoss` defaults to false.
 * Without it, fit throws a NonFiniteLossError unless `stopOnNonFiniteLoss: false`.
 */
export class TerminateOnNaN extends Callback {
  override onBatchEnd(batch: number, logs: Logs): void {
    const loss = logs['loss'];
    if (loss !== undefined && !Number.isFinite(loss)) {
      console.warn(`TerminateOnNaN: batch ${batch} has loss ${loss}; terminating training`);
      this.model.stopTraining = true;
    }
  }
}
