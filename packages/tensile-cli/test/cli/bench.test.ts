/** End-to-end: `tensile bench` runs the harness and passes its options through. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { tempDir } from 'tensile-test-support';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const harness = fileURLToPath(new URL('../../bench', import.meta.url));
const library = fileURLToPath(new URL('../../../../tensile', import.meta.url));

it('tensile bench --json reports each (workload, engine, threads) with median, min, max and unit', async () => {
  const { stdout } = await run(process.execPath, [cli, 'bench', '--json', '--engines', 'tensile-wasm', '--workloads', 'tiny_add'], { maxBuffer: 1 << 24 });
  const rows = JSON.parse(stdout) as { workload: string; engine: string; threads: number; median: number; min: number; max: number; unit: string }[];
  assert.deepEqual(rows.map((r) => [r.workload, r.engine, r.threads]), [['tiny_add', 'tensile-wasm', 1], ['tiny_add', 'tensile-wasm', 2]]);
  for (const r of rows) {
    assert.equal(r.unit, 'µs/op');
    assert.ok(r.min > 0 && r.min <= r.median && r.median <= r.max, JSON.stringify(r));
  }
});

it('tensile bench --help prints the harness options without running anything; an unknown option is refused', async () => {
  const { stdout } = await run(process.execPath, [cli, 'bench', '--help']);
  assert.match(stdout, /Usage: tensile bench/);
  assert.match(stdout, /--workloads a,b/);
  await assert.rejects(run(process.execPath, [cli, 'bench', '--workload', 'tiny_add']), (e: { stderr: string }) => /unknown option '--workload'/.test(e.stderr));
});

it('without TF.js installed (an installed tensile-cli without its optional peers) bench says so in one line, and a run with no result fails', async () => {
  // The harness beside a node_modules that holds the library alone, as in a project that installed tensile-cli only.
  const project = await tempDir('tensile-bench-');
  await cp(harness, path.join(project, 'bench'), { recursive: true });
  await writeFile(path.join(project, 'package.json'), '{ "type": "module" }\n');
  await mkdir(path.join(project, 'node_modules'));
  await symlink(library, path.join(project, 'node_modules', 'tensile'), 'dir');
  const runHarness = (...args: string[]) => run(process.execPath, [path.join(project, 'bench', 'run.js'), ...args], { maxBuffer: 1 << 24 });

  const { stdout, stderr } = await runHarness('--json', '--engines', 'tensile-wasm,tfjs-wasm', '--workloads', 'tiny_add');
  const notes = stderr.split('\n').filter((line) => /TensorFlow|tfjs/i.test(line));
  assert.deepEqual(notes, ['note: TensorFlow.js skipped: @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm not installed (npm install @tensorflow/tfjs@4.22 @tensorflow/tfjs-backend-wasm@4.22 beside tensile-cli)']);
  assert.doesNotMatch(stderr, /ERR_MODULE_NOT_FOUND|at .*\.js:\d+/);
  assert.deepEqual((JSON.parse(stdout) as { engine: string }[]).map((r) => r.engine), ['tensile-wasm', 'tensile-wasm']);

  await assert.rejects(runHarness('--engines', 'tfjs-wasm', '--workloads', 'tiny_add'), (e: { code: number; stdout: string; stderr: string }) =>
    e.code === 1 && e.stdout === '' && /bench: no engine produced a result \(engines tfjs-wasm, workloads tiny_add\)/.test(e.stderr));
});

it('the compiled rows run beside the eager step, print their trace times and compare with it', async () => {
  const { stdout, stderr } = await run(process.execPath, [cli, 'bench', '--engines', 'tensile-wasm', '--workloads', 'mlp_train,mlp_train_jit'], { maxBuffer: 1 << 24 });
  assert.match(stderr, /mlp_train_jit: traced in [\d.]+ ms \(one eager step included\), optimised in [\d.]+ ms, fused kernels generated in [\d.]+ ms; \d+ → \d+ kernel calls/);
  assert.match(stdout, /\| mlp_train_jit \| ms\/step ↓ \| [\d.]+ \[/);
  assert.match(stdout, /\| mlp_train_jit \| tensile-wasm-\dt \| its eager step [\d.]+× \|/);
});
