/** Explicit broadcasting and repetition. */
import { record } from '../autograd/graph.js';
import { ShapeError } from '../errors.js';
import type { Shape } from '../tensor/shape.js';
import { broadcastStrides, checkShape, formatShape, shapesEqual } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { backendOf, requireTensor } from './dispatch.js';
import { wrap } from '../tensor/wrap.js';
import { sumTo } from './reduce.js';
import { defineOp } from './registry.js';
import { reshape } from './reshape.js';

/** Broadcasts `x` to `shape` (numpy rules; -1 keeps a dimension). PyTorch calls it expand. */
export const broadcastTo = defineOp('broadcastTo', 'differentiable', (x: Tensor, shape: Shape): Tensor => {
  requireTensor('broadcastTo', x);
  const lead = shape.length - x.rank;
  const target = checkShape(shape.map((d, i) => (d === -1 && i >= lead ? x.shape[i - lead]! : d)), 'broadcastTo');
  if (lead < 0 || x.shape.some((d, i) => d !== 1 && d !== target[lead + i])) {
    throw new ShapeError(`broadcastTo: cannot broadcast ${formatShape(x.shape)} to ${formatShape(shape)}`);
  }
  if (shapesEqual(x.shape, target)) return x;
  const backend = backendOf('broadcastTo', x);
  const y = wrap(backend, backend.stridedCopy(x, target, broadcastStrides(x.shape, target), 0), target, x.dtype);
  return record('broadcastTo', y, [x], (dy) => [sumTo(dy, x.shape)]);
});

/** Repeats the tensor `reps[i]` times along axis i (numpy/TF tile). */
export const tile = defineOp('tile', 'differentiable', (x: Tensor, reps: readonly number[]): Tensor => {
  checkShape(reps, 'tile');
  const rank = Math.max(reps.length, x.rank);
  const shape = [...new Array<number>(rank - x.rank).fill(1), ...x.shape];
  const r = [...new Array<number>(rank - reps.length).fill(1), ...reps];
  // [a, b] → [1, a, 1, b] → [ra, a, rb, b] → [ra·a, rb·b]
  const spread = reshape(x, shape.flatMap((d) => [1, d]));
  const expanded = broadcastTo(spread, shape.flatMap((d, i) => [r[i]!, d]));
  return reshape(expanded, shape.map((d, i) => d * r[i]!));
});
