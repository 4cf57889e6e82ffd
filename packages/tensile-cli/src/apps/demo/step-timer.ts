/** A fit callback timing each training step (batch begin → end); the first step, which builds and warms up, is left out. */
import { Callback } from 'tensile';

export class StepTimer extends Callback {
  private started = 0;
  private readonly times: number[] = [];

  override onBatchBegin(): void {
    this.started = performance.now();
  }

  override onBatchEnd(): void {
    this.times.push(performance.now() - this.started);
  }

  /** Mean milliseconds of the steps after the first, or NaN before two steps ran. */
  get meanMs(): number {
    const timed = this.times.slice(1);
    return timed.length ? timed.reduce((sum, t) => sum + t, 0) / timed.length : NaN;
  }

  get steps(): number {
    return this.times.length;
  }
}
