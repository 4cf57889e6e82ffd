import assert from 'node:assert/strict';
import type { Tensor } from '../../src/index.js';

/** Asserts shape equality and elementwise |actual − expected| ≤ atol + rtol·|expected| (NaNs must match). */
export function assertClose(actual: Tensor | ArrayLike<number>, expected: Tensor | ArrayLike<number>, options: { rtol?: number; atol?: number; message?: string } = {}): void {
  const rtol = options.rtol ?? 1e-5;
  const atol = options.atol ?? 1e-6;
  const values = (t: Tensor | ArrayLike<number>): ArrayLike<number> => ('dataSync' in t ? t.dataSync() : t);
  if ('shape' in actual && 'shape' in expected) {
    assert.deepEqual([...actual.shape], [...expected.shape], `${options.message ?? ''} shape`);
  }
  const a = values(actual);
  const e = values(expected);
  assert.equal(a.length, e.length, `${options.message ?? ''} length`);
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = e[i]!;
    if (Number.isNaN(y)) {
      assert.ok(Number.isNaN(x), `${options.message ?? ''} [${i}]: expected NaN, got ${x}`);
      continue;
    }
    if (x === y) continue;
    assert.ok(Math.abs(x - y) <= atol + rtol * Math.abs(y), `${options.message ?? ''} [${i}]: ${x} vs expected ${y}`);
  }
}
