/**
 * Batches cut from in-memory tensors: the rows in order or in a fresh shuffled order per pass
 * (from the global generator, so `manualSeed` repeats it). The generator made each batch's
 * tensors, so it frees them as soon as the consumer asks for the next one, rather than leaving
 * their backend memory to a garbage collector that may run rarely.
 */
import { tensor } from '../ops/creation.js';
import { gather } from '../ops/gather.js';
import { globalGenerator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';

export interface TensorBatch {
  /** One batch of each input tensor. */
  readonly x: readonly Tensor[];
  readonly y: Tensor;
}

/** Rows [start, start + batchSize) of the (shuffled) order, for inputs `x` and targets `y` with equal first axes. */
export function* tensorBatches(x: readonly Tensor[], y: Tensor, batchSize: number, shuffle: boolean): Generator<TensorBatch> {
  const n = y.shape[0]!;
  const order = Array.from({ length: n }, (_, i) => i);
  if (shuffle) globalGenerator.shuffle(order);
  for (let start = 0; start < n; start += batchSize) {
    const index = tensor(Int32Array.from(order.slice(start, start + batchSize)), [Math.min(batchSize, n - start)]);
    const batch = { x: x.map((t) => gather(t, index, 0)), y: gather(y, index, 0) };
    try {
      yield batch;
    } finally {
      for (const t of [index, ...batch.x, batch.y]) t.dispose();
    }
  }
}
