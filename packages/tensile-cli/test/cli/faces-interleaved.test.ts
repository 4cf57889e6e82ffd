/** End-to-end: the interleaved Tensile vs TF.js-wasm face benchmark prints both medians and the speed-up, and refuses a bad option. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../../bench/faces-interleaved.js', import.meta.url));

it('faces-interleaved: one round of face_landmarks reports Tensile and TF.js-wasm medians and their ratio', async () => {
  const { stdout } = await run(process.execPath, [script, '--workload', 'face_landmarks', '--rounds', '1', '--reps', '1'], {
    env: { ...process.env, TENSILE_THREADS: '1' },
  });
  const match = /tensile-wasm \(SIMD, TENSILE_THREADS=1\) median ([\d.]+) ms, tfjs-wasm-1t median ([\d.]+) ms, median per-round speed-up ([\d.]+)×/.exec(stdout);
  assert.ok(match, stdout);
  const [tensileMs, tfjsMs, ratio] = match.slice(1).map(Number) as [number, number, number];
  assert.ok(tensileMs > 0 && tfjsMs > 0, stdout);
  assert.ok(Math.abs(ratio - tfjsMs / tensileMs) <= 0.01 * ratio + 0.01, stdout);
});

it('faces-interleaved refuses an unknown workload and a non-positive round count', async () => {
  await assert.rejects(run(process.execPath, [script, '--workload', 'face_detect']), (e: { stderr: string }) => /--workload must be face_embed or face_landmarks, got face_detect/.test(e.stderr));
  await assert.rejects(run(process.execPath, [script, '--rounds', '0']), (e: { stderr: string }) => /--rounds must be a positive integer, got 0/.test(e.stderr));
});
