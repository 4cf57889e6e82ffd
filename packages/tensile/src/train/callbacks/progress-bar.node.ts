/**
 * A progress bar for fit (cli-progress) showing epoch, step/total, loss, metrics and ETA on a TTY;
 * plain lines (EpochLogger) when stdout is not a terminal, e.g. in CI logs.
 */
import cliProgress from 'cli-progress';
import { Callback, type Logs } from './callback.js';
import { EpochLogger, formatLogs } from './progress.js';

export class ProgressBar extends Callback {
  private bar: cliProgress.SingleBar | null = null;
  private step = 0;
  // Not a constructor parameter: its type would be @types/node's, which users need not have.
  private readonly stream = process.stdout;

  override onEpochBegin(epoch: number): void {
    this.step = 0;
    this.bar = new cliProgress.SingleBar(
      { format: `Epoch ${epoch + 1}/${this.params.epochs} [{bar}] {value}/{total} - ETA {eta}s - {logs}`, stream: this.stream, hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(this.params.steps ?? 0, 0, { logs: '' });
  }

  override onBatchEnd(_batch: number, logs: Logs): void {
    this.step++;
    const { batch: _b, size: _s, ...shown } = logs;
    if (this.params.steps === null) this.bar?.setTotal(this.step);
    this.bar?.update(this.step, { logs: formatLogs(shown) });
  }

  override onEpochEnd(_epoch: number, logs: Logs): void {
    this.bar?.update(this.step, { logs: formatLogs(logs) });
    this.bar?.stop();
    this.bar = null;
  }
}

/** The reporter for fit(verbose): a bar on a terminal with verbose 1, plain lines otherwise. */
export function nodeProgressReporter(verbose: number): Callback {
  return verbose === 1 && process.stdout.isTTY ? new ProgressBar() : new EpochLogger();
}
