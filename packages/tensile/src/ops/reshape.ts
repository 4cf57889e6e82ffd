/** Shape changes that keep the data in place: the result shares the input's storage. */
import { record } from '../autograd/graph.js';
import { ShapeError } from '../errors.js';
import type { Shape } from '../tensor/shape.js';
import { formatShape, normAxes, normAxis, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { requireTensor } from './dispatch.js';
import { defineOp } from './registry.js';

/** Resolves one -1 entry from the total size; validates every other entry. */
function resolveShape(x: Tensor, shape: Shape): number[] {
  if (!Array.isArray(shape)) throw new ShapeError(`reshape: shape must be an array, got ${String(shape)}`);
  let unknown = -1;
  let known = 1;
  shape.forEach((d, i) => {
    if (d === -1 && unknown < 0) unknown = i;
    else if (!Number.isInteger(d) || d < 0) throw new ShapeError(`reshape: invalid dimension ${d} in ${formatShape(shape)}`);
    else known *= d;
  });
  const out = [...shape];
  if (unknown >= 0) {
    if (known === 0 || x.size % known !== 0) {
      throw new ShapeError(`reshape: cannot reshape ${formatShape(x.shape)} (${x.size} elements) into ${formatShape(shape)}`);
    }
    out[unknown] = x.size / known;
  }
  if (sizeOf(out) !== x.size) {
    throw new ShapeError(`reshape: cannot reshape ${formatShape(x.shape)} (${x.size} elements) into ${formatShape(shape)}`);
  }
  return out;
}

export const reshape = defineOp('reshape', 'differentiable', (x: Tensor, shape: Shape): Tensor => {
  requireTensor('reshape', x);
  const y = new Tensor(x.shareStorage(), resolveShape(x, shape), x.dtype);
  return record('reshape', y, [x], (dy) => [reshape(dy, x.shape)]);
});

/** Merges axes startAxis..endAxis into one. */
export const flatten = defineOp('flatten', 'differentiable', (x: Tensor, startAxis = 0, endAxis = -1): Tensor => {
  if (x.rank === 0) return reshape(x, [1]);
  const s = normAxis(startAxis, x.rank, 'flatten');
  const e = normAxis(endAxis, x.rank, 'flatten');
  if (s > e) throw new ShapeError(`flatten: startAxis ${startAxis} comes after endAxis ${endAxis} for rank ${x.rank}`);
  return reshape(x, [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
});

/** Removes size-1 axes (all of them, or the ones named, which must have size 1). */
export const squeeze = defineOp('squeeze', 'differentiable', (x: Tensor, axes?: number | readonly number[]): Tensor => {
  const drop = axes === undefined ? x.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0) : normAxes(axes, x.rank, 'squeeze');
  for (const a of drop) {
    if (x.shape[a] !== 1) throw new ShapeError(`squeeze: axis ${a} of ${formatShape(x.shape)} has size ${x.shape[a]}, not 1`);
  }
  return reshape(x, x.shape.filter((_, i) => !drop.includes(i)));
});

/** Inserts a size-1 axis at `axis` (negative counts from the end of the result). */
export const unsqueeze = defineOp('unsqueeze', 'differentiable', (x: Tensor, axis: number): Tensor => {
  const a = normAxis(axis, x.rank + 1, 'unsqueeze');
  return reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)]);
});
