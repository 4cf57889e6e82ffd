/** Joining tensors along an axis. */
import { record } from '../autograd/graph.js';
import { DTypeError, ShapeError } from '../errors.js';
import { formatShape, normAxis } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { backendOf, requireTensor } from './dispatch.js';
import { wrap } from '../tensor/wrap.js';
import { defineOp } from './registry.js';
import { unsqueeze } from './reshape.js';
import { split } from './slice.js';

/** Joins tensors of one dtype that agree on every axis but `axis`. */
export const concat = defineOp('concat', 'differentiable', (tensors: readonly Tensor[], axis = 0): Tensor => {
  if (!Array.isArray(tensors as unknown) || tensors.length === 0) throw new ShapeError('concat: needs a non-empty array of tensors');
  tensors.forEach((t, i) => requireTensor('concat', t, `tensors[${i}]`));
  const first = tensors[0]!;
  const a = normAxis(axis, first.rank, 'concat');
  for (const [i, t] of tensors.entries()) {
    if (t.dtype !== first.dtype) throw new DTypeError(`concat: tensors[${i}] is ${t.dtype}, tensors[0] is ${first.dtype}`);
    if (t.rank !== first.rank || t.shape.some((d, k) => k !== a && d !== first.shape[k])) {
      throw new ShapeError(
        `concat: tensors[${i}] ${formatShape(t.shape)} does not match tensors[0] ${formatShape(first.shape)} outside axis ${axis}`,
      );
    }
  }
  if (tensors.length === 1) return first;
  const backend = backendOf('concat', ...tensors);
  const outShape = first.shape.map((d, k) => (k === a ? tensors.reduce((s, t) => s + t.shape[a]!, 0) : d));
  const y = wrap(backend, backend.concat(tensors, a, outShape), outShape, first.dtype);
  return record('concat', y, tensors, (dy) => split(dy, tensors.map((t) => t.shape[a]!), a));
});

/** Joins same-shaped tensors along a new axis. */
export const stack = defineOp('stack', 'differentiable', (tensors: readonly Tensor[], axis = 0): Tensor => {
  if (!Array.isArray(tensors as unknown) || tensors.length === 0) throw new ShapeError('stack: needs a non-empty array of tensors');
  const shape = tensors[0]!.shape;
  tensors.forEach((t, i) => {
    requireTensor('stack', t, `tensors[${i}]`);
    if (formatShape(t.shape) !== formatShape(shape)) {
      throw new ShapeError(`stack: tensors[${i}] ${formatShape(t.shape)} differs from tensors[0] ${formatShape(shape)}`);
    }
  });
  const a = normAxis(axis, shape.length + 1, 'stack');
  return concat(tensors.map((t) => unsqueeze(t, a)), a);
});
