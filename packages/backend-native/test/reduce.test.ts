/**
 * The native column sums (a bias gradient: a batch summed into one row, vectorised across columns)
 * against the reference backend: the same bits, for column counts with a vector tail, on one thread
 * and split over the reduced axis on two. Says so and skips when the kernels are not built.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Backend } from 'tensile';
import { Generator, ReferenceBackend } from 'tensile';
import { NativeBackend, nativeUnavailable } from '../src/index.js';

const unavailable = nativeUnavailable();
if (unavailable) console.log(`native backend skipped: ${unavailable}`);

const random = new Generator(3);

function columnSums(backend: Backend, values: Float32Array, outer: number, rows: number, columns: number): Float32Array {
  const x = { id: backend.upload(values.slice()), shape: [outer, rows, columns], dtype: 'float32' as const };
  return backend.readSync({ id: backend.reduce('sum', x, outer, rows, columns, 'float32'), shape: [outer, columns], dtype: 'float32' }) as Float32Array;
}

describe('native column sums', { skip: unavailable }, () => {
  for (const [outer, rows, columns] of [[1, 256, 256], [1, 300, 257], [3, 129, 33], [2, 5, 7]] as const) {
    for (const threads of [1, 2]) {
      it(`${outer}×${rows}×${columns} on ${threads} thread(s): the reference's bits`, () => {
        const values = Float32Array.from({ length: outer * rows * columns }, () => (random.random() * 2 - 1) * 10 ** (random.random() * 8 - 4));
        assert.deepEqual(columnSums(new NativeBackend({ threads }), values, outer, rows, columns), columnSums(new ReferenceBackend(), values, outer, rows, columns));
      });
    }
  }
});
