/**
 * Tensile against face-api on TF.js-wasm (one thread) for face_embed / face_landmarks, alternating in one
 * process: each round times TF.js, then Tensile, then TF.js again (blocks of --reps calls), and its ratio
 * is the mean of the two TF.js blocks over the Tensile block. On a shared machine whose load changes
 * from one minute to the next, the median of these per-round ratios is steadier than comparing
 * engines that the harness (run.ts) runs one after another. Tensile runs on the threads TENSILE_THREADS
 * allows and with relaxed SIMD when TENSILE_WASM_RELAXED=1 (with node --experimental-wasm-relaxed-simd).
 *
 *   TENSILE_THREADS=1 node packages/tensile-cli/build/bench/faces-interleaved.js [--workload face_landmarks] [--rounds 30] [--reps 5]
 */
import { tensileEngine } from './engines/tensile.js';
import { tfjsEngine } from './engines/tfjs.js';
import { option, positiveInteger } from './argv.js';

const workload = option('--workload', 'face_landmarks');
if (workload !== 'face_embed' && workload !== 'face_landmarks') {
  throw new Error(`faces-interleaved: --workload must be face_embed or face_landmarks, got ${workload}`);
}
const rounds = positiveInteger('faces-interleaved', '--rounds', 30);
const reps = positiveInteger('faces-interleaved', '--reps', 5);

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function blockMs(call: () => unknown, count: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count; i++) await call();
  return (performance.now() - start) / count;
}

const tfjs = await (await tfjsEngine('wasm')).prepare(workload);
const tensile = await (await tensileEngine('wasm')).prepare(workload);
if (typeof tfjs === 'string' || typeof tensile === 'string') throw new Error(`faces-interleaved: ${workload} cannot run: ${String(typeof tfjs === 'string' ? tfjs : tensile)}`);
for (let i = 0; i < 3; i++) {
  await tfjs();
  await tensile();
}
const tensileMs: number[] = [];
const tfjsMs: number[] = [];
const ratios: number[] = [];
for (let r = 0; r < rounds; r++) {
  const before = await blockMs(tfjs, reps);
  const ours = await blockMs(tensile, reps);
  const after = await blockMs(tfjs, reps);
  tensileMs.push(ours);
  tfjsMs.push((before + after) / 2);
  ratios.push((before + after) / 2 / ours);
}
const relaxed = process.env.TENSILE_WASM_RELAXED === '1' ? 'relaxed SIMD' : 'SIMD';
console.log(
  `${workload}, ${rounds} rounds of ${reps}: tensile-wasm (${relaxed}, TENSILE_THREADS=${process.env.TENSILE_THREADS ?? 'all'}) median ${median(tensileMs).toFixed(2)} ms, `
  + `tfjs-wasm-1t median ${median(tfjsMs).toFixed(2)} ms, median per-round speed-up ${median(ratios).toFixed(2)}× `
  + `[${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}]`,
);
// TF.js keeps handles that would hold the process open.
process.exit(0);
