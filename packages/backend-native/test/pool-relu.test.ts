/**
 * The native max-pool gradient masked by a ReLU (pool2dReluBackward, a compiled graph's fusion of
 * the two) against the reference backend's two kernels, pool2dBackward('max') then
 * activationGrad('relu', ·, x): windows whose maximum is a ReLU zero, ties, NaN, overlapping and
 * padded windows, channels past a whole vector block. Bits must agree. Says so and skips when the
 * kernels are not built.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pool2DInfo, TensorRef } from 'tensile';
import { Generator, ReferenceBackend } from 'tensile';
import { NativeBackend, nativeUnavailable } from '../src/index.js';

const unavailable = nativeUnavailable();
if (unavailable) console.log(`native backend skipped: ${unavailable}`);

const random = new Generator(13);

/** A ReLU's output: many zeros (ties among them), a few repeated maxima and NaNs. */
function reluOutput(size: number): Float32Array {
  return Float32Array.from({ length: size }, () => {
    const u = random.random();
    if (u < 0.02) return Number.NaN;
    if (u < 0.1) return 1;
    return Math.max(0, random.random() * 4 - 2);
  });
}

const pools: Pool2DInfo[] = [
  { batch: 3, inHeight: 8, inWidth: 8, channels: 37, outHeight: 4, outWidth: 4, filterHeight: 2, filterWidth: 2, strideHeight: 2, strideWidth: 2, padTop: 0, padLeft: 0 },
  { batch: 2, inHeight: 11, inWidth: 11, channels: 16, outHeight: 5, outWidth: 5, filterHeight: 2, filterWidth: 2, strideHeight: 2, strideWidth: 2, padTop: 0, padLeft: 0 },
  { batch: 2, inHeight: 7, inWidth: 9, channels: 5, outHeight: 4, outWidth: 5, filterHeight: 3, filterWidth: 3, strideHeight: 2, strideWidth: 2, padTop: 1, padLeft: 1 },
];

describe('native pool2dReluBackward', { skip: unavailable }, () => {
  for (const info of pools) {
    it(`equals the reference's pool gradient then ReLU gradient (${info.filterHeight}×${info.filterWidth} stride ${info.strideHeight}, ${info.channels} channels)`, () => {
      const native = new NativeBackend({ threads: 2 });
      const reference = new ReferenceBackend();
      const xShape = [info.batch, info.inHeight, info.inWidth, info.channels];
      const dyShape = [info.batch, info.outHeight, info.outWidth, info.channels];
      const x = reluOutput(xShape.reduce((a, b) => a * b, 1));
      const dy = Float32Array.from({ length: dyShape.reduce((a, b) => a * b, 1) }, () => random.random() * 2 - 1);
      const ref = (backend: NativeBackend | ReferenceBackend, data: Float32Array, shape: number[]): TensorRef => ({ id: backend.upload(data), shape, dtype: 'float32' });
      const [nx, ndy] = [ref(native, x, xShape), ref(native, dy, dyShape)];
      const got = native.readSync({ id: native.pool2dReluBackward(ndy, nx, info), shape: xShape, dtype: 'float32' });
      const [rx, rdy] = [ref(reference, x, xShape), ref(reference, dy, dyShape)];
      const pooled: TensorRef = { id: reference.pool2dBackward('max', rdy, rx, info), shape: xShape, dtype: 'float32' };
      const want = reference.readSync({ id: reference.activationGrad('relu', pooled, rx), shape: xShape, dtype: 'float32' });
      for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) assert.fail(`element ${i}: native ${got[i]}, reference ${want[i]}`);
    });
  }
});
