/**
 * A compiled training step against its eager step (mlp_train_jit vs mlp_train, or the MNIST pair),
 * alternating in one process: each round times the eager step, the compiled step, then the eager step
 * again (blocks of --reps steps), in wall time and in the process's CPU time. The ratio of a round is
 * the mean of the two eager blocks over the compiled block. On a shared machine whose load changes
 * from one minute to the next, the median of these per-round ratios is steadier than the harness's
 * (run.ts) rows measured one after the other, and CPU time leaves out the time spent waiting for a
 * core. Threads: TENSILE_THREADS; relaxed SIMD with TENSILE_WASM_RELAXED=1 (and node
 * --experimental-wasm-relaxed-simd); the native backend with --backend native.
 *
 *   TENSILE_THREADS=1 node packages/tensile-cli/build/bench/jit-interleaved.js [--workload mnist_train] [--backend native] [--rounds 30] [--reps 5]
 */
import { tensileEngine } from './engines/tensile.js';
import { option, positiveInteger } from './argv.js';

const workload = option('--workload', 'mlp_train');
if (workload !== 'mlp_train' && workload !== 'mnist_train') throw new Error(`jit-interleaved: --workload must be mlp_train or mnist_train, got ${workload}`);
const backend = option('--backend', 'wasm');
if (backend !== 'wasm' && backend !== 'native') throw new Error(`jit-interleaved: --backend must be wasm or native, got ${backend}`);
const rounds = positiveInteger('jit-interleaved', '--rounds', 30);
const reps = positiveInteger('jit-interleaved', '--reps', 5);

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Milliseconds per call of `call`, wall and CPU (user + system, every thread of the process). */
function block(call: () => unknown, count: number): { wall: number; cpu: number } {
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < count; i++) call();
  const used = process.cpuUsage(cpu);
  return { wall: (performance.now() - start) / count, cpu: (used.user + used.system) / 1000 / count };
}

const engine = await tensileEngine(backend);
const eager = await engine.prepare(workload);
const compiled = await engine.prepare(`${workload}_jit`);
if (typeof eager === 'string' || typeof compiled === 'string') throw new Error(`jit-interleaved: ${workload} cannot run: ${String(typeof eager === 'string' ? eager : compiled)}`);
for (let i = 0; i < 3; i++) {
  eager();
  compiled();
}
const kinds = ['wall', 'cpu'] as const;
const ms = { eager: { wall: [] as number[], cpu: [] as number[] }, compiled: { wall: [] as number[], cpu: [] as number[] } };
const ratios = { wall: [] as number[], cpu: [] as number[] };
for (let r = 0; r < rounds; r++) {
  const before = block(eager, reps);
  const ours = block(compiled, reps);
  const after = block(eager, reps);
  for (const kind of kinds) {
    const eagerMs = (before[kind] + after[kind]) / 2;
    ms.eager[kind].push(eagerMs);
    ms.compiled[kind].push(ours[kind]);
    ratios[kind].push(eagerMs / ours[kind]);
  }
}
const build = backend === 'native' ? '' : process.env.TENSILE_WASM_RELAXED === '1' ? 'relaxed SIMD, ' : 'SIMD, ';
console.log(`${workload}, ${rounds} rounds of ${reps} steps, tensile-${backend} (${build}TENSILE_THREADS=${process.env.TENSILE_THREADS ?? 'all'}):`);
for (const kind of kinds) {
  const range = `[${Math.min(...ratios[kind]).toFixed(2)}–${Math.max(...ratios[kind]).toFixed(2)}]`;
  console.log(`  ${kind} time: eager median ${median(ms.eager[kind]).toFixed(2)} ms, compiled median ${median(ms.compiled[kind]).toFixed(2)} ms, median per-round speed-up ${median(ratios[kind]).toFixed(2)}× ${range}`);
}
process.exit(0);
