/**
 * Progress reporting of fit(verbose): plain lines that work everywhere. The Node entry point
 * swaps in a TTY progress bar (progress-bar.node.ts) through `useProgressReporter`.
 */
import { Callback, type Logs } from './callback.js';

/** "loss: 0.3012 - accuracy: 0.9120" */
export function formatLogs(logs: Logs): string {
  return Object.entries(logs)
    .map(([k, v]) => `${k}: ${Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(3)}`)
    .join(' - ');
}

/** One line per epoch (verbose 1 or 2): "Epoch 2/5 - 63 steps - 1.2s - loss: … - val_loss: …". */
export class EpochLogger extends Callback {
  private started = 0;
  private steps = 0;

  constructor(private readonly write: (line: string) => void = (line) => console.log(line)) {
    super();
  }

  override onEpochBegin(): void {
    this.started = performance.now();
    this.steps = 0;
  }

  override onBatchEnd(): void {
    this.steps++;
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    const seconds = ((performance.now() - this.started) / 1000).toFixed(1);
    this.write(`Epoch ${epoch + 1}/${this.params.epochs} - ${this.steps} step${this.steps === 1 ? '' : 's'} - ${seconds}s - ${formatLogs(logs)}`);
  }
}

let reporter: (verbose: number) => Callback = () => new EpochLogger();

/** Sets what fit uses for `verbose > 0` (the Node entry point installs a progress bar). */
export function useProgressReporter(factory: (verbose: number) => Callback): void {
  reporter = factory;
}

export function progressReporter(verbose: number): Callback {
  return reporter(verbose);
}
