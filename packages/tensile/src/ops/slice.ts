/** Slicing with negative indices and steps, and the ops built on it: pad, flip, split, chunk. */
import { record } from '../autograd/graph.js';
import { ShapeError, ValueError } from '../errors.js';
import type { Shape } from '../tensor/shape.js';
import { formatShape, normAxes, normAxis, stridesOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { arange, zeros } from './creation.js';
import { backendOf, requireTensor } from './dispatch.js';
import { fullOn, wrap } from '../tensor/wrap.js';
import { gather } from './gather.js';
import { defineOp } from './registry.js';
import { reshape } from './reshape.js';
import { clamp, sub } from './arithmetic.js';
import { abs } from './unary.js';

/** Copies the positions offset + Σ iₖ·strides[k] of x into a tensor of `shape` (the mapping must be one-to-one). */
function stridedView(x: Tensor, shape: Shape, strides: readonly number[], offset: number): Tensor {
  const backend = backendOf('slice', x);
  const y = wrap(backend, backend.stridedCopy(x, shape, strides, offset), shape, x.dtype);
  return record('slice', y, [x], (dy) => [sliceScatter(zeros(x.shape, { dtype: dy.dtype, backend: dy.backend.name }), dy, strides, offset)]);
}

/** `base` with `src` written at the strided positions: the adjoint of stridedView. */
function sliceScatter(base: Tensor, src: Tensor, strides: readonly number[], offset: number): Tensor {
  const backend = backendOf('sliceScatter', base, src);
  const y = wrap(backend, backend.stridedScatter(base, src, strides, offset), base.shape, base.dtype);
  return record('sliceScatter', y, [base, src], (dy) => [
    base.requiresGrad ? sliceScatter(dy, zeros(src.shape, { dtype: dy.dtype, backend: dy.backend.name }), strides, offset) : null,
    src.requiresGrad ? stridedView(dy, src.shape, strides, offset) : null,
  ]);
}

/** One axis of a slice: `[start, end, step]` with Python semantics (negative counts from the end), or an index. */
export type SliceRange = number | null | readonly [start?: number | null, end?: number | null, step?: number];

interface AxisSlice {
  start: number;
  count: number;
  step: number;
  drop: boolean;
}

function resolveAxis(range: SliceRange, n: number, axis: number, shape: Shape): AxisSlice {
  if (range === null) return { start: 0, count: n, step: 1, drop: false };
  if (typeof range === 'number') {
    if (!Number.isInteger(range) || range < -n || range >= n) {
      throw new ShapeError(`slice: index ${range} is out of range for axis ${axis} of size ${n} in ${formatShape(shape)}`);
    }
    return { start: range < 0 ? range + n : range, count: 1, step: 1, drop: true };
  }
  const step = range[2] ?? 1;
  if (!Number.isInteger(step) || step === 0) throw new ValueError(`slice: step must be a non-zero integer, got ${step} on axis ${axis}`);
  const norm = (v: number | null | undefined, fallback: number, lo: number, hi: number): number => {
    if (v === null || v === undefined) return fallback;
    if (!Number.isInteger(v)) throw new ValueError(`slice: bound ${v} on axis ${axis} is not an integer`);
    return Math.min(Math.max(v < 0 ? v + n : v, lo), hi);
  };
  const start = step > 0 ? norm(range[0], 0, 0, n) : norm(range[0], n - 1, -1, n - 1);
  const end = step > 0 ? norm(range[1], n, 0, n) : norm(range[1], -1, -1, n - 1);
  return { start, count: Math.max(0, Math.ceil((end - start) / step)), step, drop: false };
}

/**
 * Selects a sub-tensor: one entry per leading axis (missing trailing axes are kept whole).
 * @example slice(x, [null, [1, -1], 0]) // all of axis 0, 1..n-2 of axis 1, index 0 of axis 2
 * @example slice(x, [[null, null, -1]]) // axis 0 reversed
 */
export const slice = defineOp('slice', 'differentiable', (x: Tensor, ranges: readonly SliceRange[]): Tensor => {
  requireTensor('slice', x);
  if (ranges.length > x.rank) throw new ShapeError(`slice: ${ranges.length} ranges for a tensor of rank ${x.rank} ${formatShape(x.shape)}`);
  const strides = stridesOf(x.shape);
  const axes = x.shape.map((n, i) => resolveAxis(ranges[i] ?? null, n, i, x.shape));
  const offset = axes.reduce((o, a, i) => o + (a.count > 0 ? a.start * strides[i]! : 0), 0);
  const view = stridedView(
    x,
    axes.map((a) => a.count),
    axes.map((a, i) => a.step * strides[i]!),
    offset,
  );
  return axes.some((a) => a.drop) ? reshape(view, axes.filter((a) => !a.drop).map((a) => a.count)) : view;
}, { maxArgs: 2 });

/** Reverses the order along the given axes. */
export const flip = defineOp('flip', 'differentiable', (x: Tensor, axes: number | readonly number[]): Tensor => {
  const flipped = normAxes(axes, x.rank, 'flip');
  return slice(x, x.shape.map((_, i) => (flipped.includes(i) ? ([null, null, -1] as const) : null)));
}, { maxArgs: 2 });

/** `length` elements of `axis` from `start`. */
export const narrow = defineOp('narrow', 'differentiable', (x: Tensor, axis: number, start: number, length: number): Tensor => {
  const a = normAxis(axis, x.rank, 'narrow');
  const n = x.shape[a]!;
  const s = start < 0 ? start + n : start;
  if (!Number.isInteger(s) || !Number.isInteger(length) || s < 0 || length < 0 || s + length > n) {
    throw new ShapeError(`narrow: [${start}, ${start}+${length}) is outside axis ${axis} of size ${n} in ${formatShape(x.shape)}`);
  }
  return slice(x, x.shape.map((_, i) => (i === a ? ([s, s + length] as const) : null)));
}, { maxArgs: 4 });

/** Splits along `axis` into pieces of the given sizes, or into `sections` equal pieces. */
export const split = defineOp('split', 'differentiable', (x: Tensor, sizes: number | readonly number[], axis = 0): Tensor[] => {
  const a = normAxis(axis, x.rank, 'split');
  const n = x.shape[a]!;
  let parts: number[];
  if (typeof sizes === 'number') {
    if (!Number.isInteger(sizes) || sizes <= 0 || n % sizes !== 0) {
      throw new ShapeError(`split: axis ${axis} of size ${n} cannot be split into ${sizes} equal sections`);
    }
    parts = new Array<number>(sizes).fill(n / sizes);
  } else {
    parts = [...sizes];
    if (parts.reduce((s, v) => s + v, 0) !== n || parts.some((v) => !Number.isInteger(v) || v < 0)) {
      throw new ShapeError(`split: sizes [${parts.join(',')}] do not add up to ${n} (axis ${axis} of ${formatShape(x.shape)})`);
    }
  }
  let start = 0;
  return parts.map((len) => {
    const piece = narrow(x, a, start, len);
    start += len;
    return piece;
  });
});

/** Splits into `chunks` pieces of ceil(n/chunks) elements (the last may be smaller), as PyTorch's chunk. */
export const chunk = defineOp('chunk', 'differentiable', (x: Tensor, chunks: number, axis = 0): Tensor[] => {
  const a = normAxis(axis, x.rank, 'chunk');
  if (!Number.isInteger(chunks) || chunks <= 0) throw new ValueError(`chunk: chunks must be a positive integer, got ${chunks}`);
  const n = x.shape[a]!;
  const size = Math.ceil(n / chunks);
  const sizes: number[] = [];
  for (let s = 0; s < n; s += size) sizes.push(Math.min(size, n - s));
  return split(x, sizes, a);
});

export type PadMode = 'constant' | 'reflect' | 'replicate';

/**
 * Pads each axis by [before, after] (axes without an entry are not padded).
 * 'reflect' mirrors without repeating the edge (needs padding < size), 'replicate' repeats the edge.
 */
export const pad = defineOp(
  'pad',
  'differentiable',
  (x: Tensor, paddings: readonly (readonly [number, number])[], options: { mode?: PadMode; value?: number } = {}): Tensor => {
    requireTensor('pad', x);
    if (paddings.length > x.rank) throw new ShapeError(`pad: ${paddings.length} paddings for a tensor of rank ${x.rank}`);
    const pads = x.shape.map((_, i) => paddings[i] ?? ([0, 0] as const));
    for (const [b, a] of pads) {
      if (!Number.isInteger(b) || !Number.isInteger(a) || b < 0 || a < 0) throw new ValueError(`pad: paddings must be non-negative integers, got [${b}, ${a}]`);
    }
    const mode = options.mode ?? 'constant';
    if (mode === 'constant') {
      const outShape = x.shape.map((d, i) => d + pads[i]![0] + pads[i]![1]);
      const strides = stridesOf(outShape);
      const offset = pads.reduce((o, [b], i) => o + b * strides[i]!, 0);
      const base = fullOn(backendOf('pad', x), outShape, options.value ?? 0, x.dtype);
      return sliceScatter(base, x, strides, offset);
    }
    let y = x;
    pads.forEach(([before, after], axis) => {
      if (before === 0 && after === 0) return;
      const n = x.shape[axis]!;
      if (mode === 'reflect' && (before >= n || after >= n)) {
        throw new ShapeError(`pad: reflect padding [${before}, ${after}] must be smaller than axis ${axis} of size ${n}`);
      }
      // Source index for each output position along the axis, clamped (replicate) or mirrored (reflect).
      const positions = arange(-before, n + after, 1, { backend: x.backend.name });
      const index = mode === 'replicate' ? clamp(positions, 0, n - 1) : sub(n - 1, abs(sub(n - 1, abs(positions))));
      y = gather(y, index, axis);
    });
    return y;
  },
);

