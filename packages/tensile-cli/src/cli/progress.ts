/** A TTY-aware counter for long commands: a cli-progress bar on a terminal, plain lines elsewhere. */
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, message: string): void;
  stop(): void;
}

export function progress(total: number, enabled: boolean): Progress {
  if (!enabled) return { update: () => {}, stop: () => {} };
  if (!process.stderr.isTTY) {
    return {
      update: (done, message) => process.stderr.write(`[${done}/${total}] ${message}\n`),
      stop: () => {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: '{bar} {value}/{total} | ETA {eta_formatted} | {message}', stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { message: '' });
  return { update: (done, message) => bar.update(done, { message }), stop: () => bar.stop() };
}
