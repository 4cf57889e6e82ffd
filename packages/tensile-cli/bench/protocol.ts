/**
 * The timing protocol of WORKLOADS.md (beside this file), shared by every JS engine: warm-up calls
 * (for at least `warmupMs` where given), a ≥10 ms calibration giving the cost of one call, then `samples` timed blocks of k calls with k
 * chosen so a block lasts ≥ minBlockMs. One sample = block time / k.
 */
export interface ProtocolOptions {
  readonly warmup: number;
  /**
   * Warm-up goes on until this much time has passed: a training step's few hundred JavaScript calls
   * run slower until V8 has optimised them (for ~0.3 s of an eager MLP step, against 10 steps' 10 ms).
   */
  readonly warmupMs?: number;
  readonly samples: number;
  readonly minBlockMs: number;
}

export type Call = () => unknown;

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** Per-call milliseconds, one entry per sample. Async calls (returning promises) are awaited. */
export async function measure(call: Call, options: ProtocolOptions): Promise<number[]> {
  let first = call();
  const async = isPromise(first);
  if (async) await first;
  const runBlock = async (k: number): Promise<number> => {
    const start = performance.now();
    if (async) for (let i = 0; i < k; i++) await call();
    else for (let i = 0; i < k; i++) call();
    return performance.now() - start;
  };
  const warmupStart = performance.now();
  for (let i = 1; i < options.warmup || performance.now() - warmupStart < (options.warmupMs ?? 0); i++) {
    first = call();
    if (async) await first;
  }
  let calls = 0;
  let spent = 0;
  while (spent < 10) {
    spent += await runBlock(1);
    calls++;
  }
  const k = Math.max(1, Math.ceil(options.minBlockMs / (spent / calls)));
  const samples: number[] = [];
  for (let s = 0; s < options.samples; s++) samples.push((await runBlock(k)) / k);
  return samples;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
