/** Indexing by tensors: gather/indexSelect, takeAlongAxis, scatterAdd, oneHot. */
import { record } from '../autograd/graph.js';
import { ShapeError, ValueError } from '../errors.js';
import { traceRecorder } from '../backend/trace-hook.js';
import type { TypedArray } from '../tensor/dtype.js';
import { formatShape, normAxis } from '../tensor/shape.js';
import { checkValues } from './value-checks.js';
import type { Tensor } from '../tensor/tensor.js';
import { add, mul } from './arithmetic.js';
import { broadcastTo } from './broadcast.js';
import { cast } from './cast.js';
import { eq } from './compare.js';
import { arange, zeros } from './creation.js';
import { backendOf, requireDType, requireTensor } from './dispatch.js';
import { wrap } from '../tensor/wrap.js';
import { permute } from './permute.js';
import { defineOp } from './registry.js';
import { reshape, unsqueeze } from './reshape.js';

/** Checks that int32 `indices` lie in [-size, size) and returns them with negatives wrapped. */
function checkIndices(op: string, indices: Tensor, size: number, what: string): Tensor {
  requireTensor(op, indices, 'indices');
  requireDType(op, indices, ['int32'], 'indices');
  const traced = traceRecorder() !== null;
  let negative = false;
  let values: TypedArray = new Int32Array(0);
  checkValues(indices, (all) => {
    for (let i = 0; i < all.length; i++) {
      const v = all[i]!;
      if (v < -size || v >= size) throw new ShapeError(`${op}: index ${v} is out of range for ${what} of size ${size}`);
      // Wrapping happens on the host, which a compiled graph cannot repeat.
      if (v < 0 && traced) throw new ShapeError(`${op}: index ${v} is negative; a jit-compiled function does not wrap negative indices, pass indices in [0, ${size})`);
      if (v < 0) negative = true;
    }
    values = all;
  });
  if (!negative) return indices;
  const wrapped = Int32Array.from(values, (v) => (v < 0 ? v + size : v));
  return wrap(indices.backend, indices.backend.upload(wrapped), indices.shape, 'int32');
}

/**
 * Picks slices along `axis` at int32 `indices` of any shape: the result's `axis` is replaced by
 * `indices.shape` (TensorFlow's gather).
 */
export const gather = defineOp('gather', 'differentiable', (x: Tensor, indices: Tensor, axis = 0): Tensor => {
  requireTensor('gather', x);
  const a = normAxis(axis, x.rank, 'gather');
  const idx = checkIndices('gather', indices, x.shape[a]!, `axis ${a} of ${formatShape(x.shape)}`);
  const backend = backendOf('gather', x, idx);
  const outShape = [...x.shape.slice(0, a), ...idx.shape, ...x.shape.slice(a + 1)];
  const y = wrap(backend, backend.gather(x, idx, a, outShape), outShape, x.dtype);
  return record('gather', y, [x], (dy) => [scatterAdd(zeros(x.shape, { dtype: dy.dtype, backend: dy.backend.name }), idx, dy, a)]);
});

/** PyTorch's index_select: rows of `axis` at 1-D int32 `indices`. */
export const indexSelect = defineOp('indexSelect', 'differentiable', (x: Tensor, axis: number, indices: Tensor): Tensor => {
  if (indices.rank !== 1) throw new ShapeError(`indexSelect: indices must be 1-D, got ${formatShape(indices.shape)}`);
  return gather(x, indices, axis);
});

/**
 * Adds `src` into a copy of `base` at `indices` along `axis`; src has `base`'s shape with `axis`
 * replaced by `indices.shape`. Repeated indices accumulate.
 */
export const scatterAdd = defineOp('scatterAdd', 'differentiable', (base: Tensor, indices: Tensor, src: Tensor, axis = 0): Tensor => {
  requireTensor('scatterAdd', base);
  requireTensor('scatterAdd', src, 'src');
  const a = normAxis(axis, base.rank, 'scatterAdd');
  const idx = checkIndices('scatterAdd', indices, base.shape[a]!, `axis ${a} of ${formatShape(base.shape)}`);
  const expected = [...base.shape.slice(0, a), ...idx.shape, ...base.shape.slice(a + 1)];
  if (formatShape(expected) !== formatShape(src.shape)) {
    throw new ShapeError(`scatterAdd: src ${formatShape(src.shape)} should be ${formatShape(expected)} for base ${formatShape(base.shape)} and indices ${formatShape(idx.shape)}`);
  }
  const backend = backendOf('scatterAdd', base, idx, src);
  const y = wrap(backend, backend.scatterAdd(base, idx, src, a), base.shape, base.dtype);
  return record('scatterAdd', y, [base, src], (dy) => [dy, src.requiresGrad ? gather(dy, idx, a) : null]);
});

/**
 * PyTorch's gather: out[..., i, ...] = x[..., indices[..., i, ...], ...] along `axis`, with `indices`
 * of x's rank and x's sizes on every other axis.
 */
export const takeAlongAxis = defineOp('takeAlongAxis', 'differentiable', (x: Tensor, indices: Tensor, axis: number): Tensor => {
  requireTensor('takeAlongAxis', x);
  const a = normAxis(axis, x.rank, 'takeAlongAxis');
  if (indices.rank !== x.rank || indices.shape.some((d, i) => i !== a && d !== x.shape[i])) {
    throw new ShapeError(`takeAlongAxis: indices ${formatShape(indices.shape)} must match x ${formatShape(x.shape)} except on axis ${a}`);
  }
  const idx = checkIndices('takeAlongAxis', indices, x.shape[a]!, `axis ${a} of ${formatShape(x.shape)}`);
  // Move the axis last, then address the flattened tensor: row·n + index.
  const perm = [...x.shape.keys()].filter((i) => i !== a).concat(a);
  const inverse = perm.map((_, i) => perm.indexOf(i));
  const xt = permute(x, perm);
  const it = permute(idx, perm);
  const n = x.shape[a]!;
  const k = it.shape[it.rank - 1]!;
  const rows = it.size / Math.max(k, 1);
  const rowStart = mul(reshape(arange(0, rows, 1, { backend: x.backend.name }), [rows, 1]), n);
  const flatIndex = add(broadcastTo(rowStart, [rows, k]), reshape(it, [rows, k]));
  const picked = gather(reshape(xt, [-1]), reshape(flatIndex, [-1]), 0);
  return permute(reshape(picked, it.shape), inverse);
});

/** One-hot vectors along a new last axis of size `depth`; indices outside [0, depth) give all-off rows. */
export const oneHot = defineOp(
  'oneHot',
  'nondifferentiable',
  (indices: Tensor, depth: number, options: { onValue?: number; offValue?: number; dtype?: 'float32' | 'float64' | 'int32' } = {}): Tensor => {
    requireTensor('oneHot', indices);
    requireDType('oneHot', indices, ['int32'], 'indices');
    if (!Number.isInteger(depth) || depth <= 0) throw new ValueError(`oneHot: depth must be a positive integer, got ${depth}`);
    const hot = cast(eq(unsqueeze(indices, -1), arange(0, depth, 1, { backend: indices.backend.name })), options.dtype ?? 'float32');
    const on = options.onValue ?? 1;
    const off = options.offValue ?? 0;
    return on === 1 && off === 0 ? hot : add(mul(hot, on - off), off);
  },
);
