/**
 * The native Adam kernel in place (a compiled step's adamStepInPlace) against the same kernel into
 * fresh outputs and against the reference backend: the same bits for normal values; subnormal
 * values, which the kernel flushes to zero on x86, within the smallest normal float32 of the reference.
 * Says so and skips when the kernels are not built.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AdamStepScalars, Backend, TensorRef } from 'tensile';
import { Generator, ReferenceBackend } from 'tensile';
import { NativeBackend, nativeUnavailable } from '../src/index.js';

const unavailable = nativeUnavailable();
if (unavailable) console.log(`native backend skipped: ${unavailable}`);

const random = new Generator(5);
const SCALARS: AdamStepScalars = { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, correction1: 1 - 0.9 ** 3, correction2: 1 - 0.999 ** 3 };
const SMALLEST_NORMAL = 2 ** -126;
/** Where the kernel flushes subnormals (elementwise.c). */
const FLUSHES = process.arch === 'x64' || process.arch === 'ia32';

const normal = (n: number, scale = 3): Float32Array => Float32Array.from({ length: n }, () => (random.random() * 2 - 1) * scale);
/** Half subnormal (the moments of a unit whose gradient has stayed at zero), half normal. */
const tiny = (n: number): Float32Array => Float32Array.from({ length: n }, () => (random.random() < 0.5 ? random.random() * SMALLEST_NORMAL : random.random() * 1e-3));

type Operands = readonly [param: Float32Array, grad: Float32Array, m: Float32Array, v: Float32Array];

function refs(backend: Backend, operands: Operands): TensorRef[] {
  return operands.map((values) => ({ id: backend.upload(values.slice()), shape: [values.length], dtype: 'float32' as const }));
}

/** param, m and v after one step: out of place through adamStep, or in place. */
function step(backend: Backend, operands: Operands, inPlace: boolean): Float32Array[] {
  const [param, grad, m, v] = refs(backend, operands) as [TensorRef, TensorRef, TensorRef, TensorRef];
  if (inPlace) {
    backend.adamStepInPlace!(param, grad, m, v, SCALARS);
    return [param, m, v].map((t) => backend.readSync(t) as Float32Array);
  }
  return backend.adamStep!(param, grad, m, v, SCALARS).map((id) => backend.readSync({ id, shape: param.shape, dtype: 'float32' }) as Float32Array);
}

describe('native Adam step in place', { skip: unavailable }, () => {
  for (const [threads, n] of [[1, 7], [1, 70001], [2, 70001]] as const) {
    it(`${n} values on ${threads} thread(s): the out-of-place kernel's and the reference's bits`, () => {
      const native = new NativeBackend({ threads });
      const operands: Operands = [normal(n), normal(n), normal(n, 0.1), normal(n, 0.1).map(Math.abs)];
      const inPlace = step(native, operands, true);
      assert.deepEqual(inPlace, step(native, operands, false));
      assert.deepEqual(inPlace, step(new ReferenceBackend(), operands, true));
    });
  }

  it('subnormal moments and gradients: flushed to zero on x86, within the smallest normal of the reference', () => {
    const n = 4099;
    const operands: Operands = [normal(n), tiny(n), tiny(n), tiny(n)];
    const got = step(new NativeBackend({ threads: 1 }), operands, true);
    const want = step(new ReferenceBackend(), operands, true);
    got.forEach((values, k) => values.forEach((value, i) => {
      const expected = want[k]![i]!;
      if (Math.abs(value - expected) > SMALLEST_NORMAL + Math.abs(expected) * 2 ** -23) assert.fail(`output ${k}, element ${i}: ${value} vs ${expected}`);
      if (FLUSHES && value !== 0 && Math.abs(value) < SMALLEST_NORMAL) assert.fail(`output ${k}, element ${i}: subnormal ${value} not flushed`);
    }));
  });

  it('leaves the thread computing subnormals afterwards (the flush mode is restored)', () => {
    const native = new NativeBackend({ threads: 1 });
    step(native, [normal(64), tiny(64), tiny(64), tiny(64)], true);
    const x = native.upload(Float32Array.of(SMALLEST_NORMAL));
    const half = native.upload(Float32Array.of(0.5));
    const product = native.binary('mul', { id: x, shape: [1], dtype: 'float32' }, { id: half, shape: [1], dtype: 'float32' }, [1], 'float32');
    assert.equal(native.readSync({ id: product, shape: [1], dtype: 'float32' })[0], SMALLEST_NORMAL / 2);
  });
});
