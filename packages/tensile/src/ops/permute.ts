/** Axis reordering (materialised by the backend's strided copy). */
import { record } from '../autograd/graph.js';
import { ShapeError } from '../errors.js';
import { normAxis, stridesOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { backendOf, requireTensor } from './dispatch.js';
import { wrap } from '../tensor/wrap.js';
import { defineOp } from './registry.js';

export const permute = defineOp('permute', 'differentiable', (x: Tensor, perm: readonly number[]): Tensor => {
  requireTensor('permute', x);
  const axes = perm.map((a) => normAxis(a, x.rank, 'permute'));
  if (axes.length !== x.rank || new Set(axes).size !== x.rank) {
    throw new ShapeError(`permute: [${perm.join(',')}] is not a permutation of the ${x.rank} axes of [${x.shape.join(',')}]`);
  }
  if (axes.every((a, i) => a === i)) return x;
  const backend = backendOf('permute', x);
  const strides = stridesOf(x.shape);
  const outShape = axes.map((a) => x.shape[a]!);
  const y = wrap(backend, backend.stridedCopy(x, outShape, axes.map((a) => strides[a]!), 0), outShape, x.dtype);
  const inverse = new Array<number>(axes.length);
  axes.forEach((a, i) => (inverse[a] = i));
  return record('permute', y, [x], (dy) => [permute(dy, inverse)]);
});

/** Swaps two axes (the last two when omitted: the matrix transpose). */
export const transpose = defineOp('transpose', 'differentiable', (x: Tensor, axisA?: number, axisB?: number): Tensor => {
  if (x.rank < 2 && axisA === undefined) return x;
  const a = normAxis(axisA ?? -2, x.rank, 'transpose');
  const b = normAxis(axisB ?? -1, x.rank, 'transpose');
  const perm = x.shape.map((_, i) => i);
  [perm[a], perm[b]] = [perm[b]!, perm[a]!];
  return permute(x, perm);
});
