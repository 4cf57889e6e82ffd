/**
 * The thread pool under back-to-back jobs (the race behind the native 2-thread bench crash: a
 * worker late for one job ran a task index the next job's count allowed, on the finished job's
 * context). Compiles native/pool.c with test/pool-stress.c and runs it on 2, 3 and 4 threads; a
 * race shows as tasks run for the wrong job, out of range, or not exactly once. Says so and skips
 * when there is no C compiler.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('../../', import.meta.url));
const compiler = process.env['CC'] ?? 'cc';
const noCompiler = spawnSync(compiler, ['--version'], { stdio: 'ignore' }).status === 0 ? undefined : `no C compiler ('${compiler}')`;
if (noCompiler) console.log(`native thread pool test skipped: ${noCompiler}`);

describe('native thread pool', { skip: noCompiler }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tensile-pool-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const binary = join(dir, 'pool-stress');

  it('compiles with the stress driver', () => {
    execFileSync(compiler, ['-O2', '-std=gnu11', '-pthread', `-I${join(packageDir, 'native')}`, join(packageDir, 'test/pool-stress.c'), join(packageDir, 'native/pool.c'), '-o', binary]);
  });

  for (const threads of [2, 3, 4]) {
    it(`runs every task of every job exactly once on ${threads} threads`, () => {
      const out = execFileSync(binary, ['1.5', String(threads)], { encoding: 'utf8' });
      const { jobs, bad } = JSON.parse(out) as { jobs: number; bad: number };
      assert.ok(jobs > 0, 'no job ran');
      assert.equal(bad, 0, `${bad} tasks ran for the wrong job, out of range or not exactly once in ${jobs} jobs`);
    });
  }
});
