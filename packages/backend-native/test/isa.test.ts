/**
 * Each GEMM micro-kernel the CPU can run (AVX-512, AVX2, generic C) gives the reference backend's
 * products and convolutions; each runs in a child process, since the micro-kernel is chosen per
 * process (TENSILE_NATIVE_ISA). Says so and skips when the kernels are not built.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { nativeUnavailable } from '../src/index.js';

const child = fileURLToPath(new URL('./isa-check.js', import.meta.url));
const unavailable = nativeUnavailable();
if (unavailable) console.log(`native backend skipped: ${unavailable}`);

describe('native GEMM micro-kernels', { skip: unavailable }, () => {
  for (const isa of ['avx512', 'avx2', 'generic'] as const) {
    it(`${isa}: products and convolutions equal the reference's`, (t) => {
      const out = execFileSync(process.execPath, [child], { env: { ...process.env, TENSILE_NATIVE_ISA: isa }, encoding: 'utf8' });
      const result = JSON.parse(out.trim().split('\n').at(-1)!) as { isa: string; worst: number };
      if (result.isa !== isa) {
        t.skip(`this CPU has no ${isa} (runs ${result.isa})`);
        return;
      }
      assert.ok(result.worst < 1e-4, `${isa}: largest scaled difference ${result.worst}`);
    });
  }
});
