/** End-to-end: `tensile bench` runs the harness and passes its options through. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

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
