/** Reductions over any set of axes, with keepDims, and their gradients. */
import type { ReduceOp } from '../backend/contract.js';
import { noGrad, record } from '../autograd/graph.js';
import { ShapeError } from '../errors.js';
import type { DType } from '../tensor/dtype.js';
import type { Shape } from '../tensor/shape.js';
import { formatShape, normAxes, shapesEqual, sizeOf, stridesOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { add, div, mul, sub } from './arithmetic.js';
import { broadcastTo } from './broadcast.js';
import { cast } from './cast.js';
import { eq, isFinite } from './compare.js';
import { where } from './where.js';
import { backendOf, requireTensor } from './dispatch.js';
import { wrap } from '../tensor/wrap.js';
import { permute } from './permute.js';
import { defineOp } from './registry.js';
import { reshape } from './reshape.js';
import { abs, exp, log, sqrt } from './unary.js';
import { type CallSpec, optionNames } from '../options.js';

type Axes = number | readonly number[];

/** Shape of a reduction's result. */
function reducedShape(shape: Shape, axes: readonly number[], keepDims: boolean): number[] {
  return keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}

/** Runs a reduction kernel, moving non-adjacent reduced axes next to each other first. */
function runReduce(name: string, op: ReduceOp, x: Tensor, axesArg: Axes | undefined, keepDims: boolean, outDType: DType): Tensor {
  requireTensor(name, x);
  const axes = normAxes(axesArg, x.rank, name);
  const outShape = reducedShape(x.shape, axes, keepDims);
  const backend = backendOf(name, x);
  if (axes.length === 0) {
    // Reducing over no axis (e.g. all axes of a scalar) is the identity, computed as a copy so the
    // result is a new tensor the caller can record.
    if (op === 'argmax' || op === 'argmin') return wrap(backend, backend.fill(x.size, 0, 'int32'), x.shape, 'int32');
    return wrap(backend, x.dtype === outDType ? backend.stridedCopy(x, x.shape, stridesOf(x.shape), 0) : backend.cast(x, outDType), x.shape, outDType);
  }
  let input = x;
  let first = axes[0]!;
  const contiguous = axes[axes.length - 1]! - first === axes.length - 1;
  if (!contiguous) {
    const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
    input = permute(x, [...kept, ...axes]);
    first = kept.length;
  }
  const outer = sizeOf(input.shape.slice(0, first));
  const reduceSize = sizeOf(axes.map((a) => x.shape[a]!));
  const inner = sizeOf(input.shape.slice(first + axes.length));
  if (reduceSize === 0 && (op === 'max' || op === 'min' || op === 'argmax' || op === 'argmin')) {
    throw new ShapeError(`${name}: cannot reduce over an empty axis of ${formatShape(x.shape)}`);
  }
  return wrap(backend, backend.reduce(op, input, outer, reduceSize, inner, outDType), outShape, outDType);
}

/** Gradient of a reduction back to the input's shape: reinsert the reduced axes and broadcast. */
function expandBack(dy: Tensor, x: Tensor, axes: readonly number[]): Tensor {
  return broadcastTo(reshape(dy, reducedShape(x.shape, axes, true)), x.shape);
}

function sumDType(dtype: DType): DType {
  return dtype === 'bool' ? 'int32' : dtype;
}

// d/dx Σx = 1 (broadcast back)
/** `(x, axes?, keepDims?)`: a fourth argument, or an options object in third place, is a mistake. */
const reduceCall: CallSpec = { maxArgs: 3 };

export const sum = defineOp('sum', 'differentiable', (x: Tensor, axes?: Axes, keepDims = false): Tensor => {
  const y = runReduce('sum', 'sum', x, axes, keepDims, sumDType(x.dtype));
  const norm = normAxes(axes, x.rank, 'sum');
  return record('sum', y, [x], (dy) => [expandBack(dy, x, norm)]);
}, reduceCall);

export const mean = defineOp('mean', 'differentiable', (x: Tensor, axes?: Axes, keepDims = false): Tensor => {
  const norm = normAxes(axes, x.rank, 'mean');
  const count = sizeOf(norm.map((a) => x.shape[a]!));
  const s = sum(x.dtype === 'float64' ? x : cast(x, 'float32'), norm, keepDims);
  return div(s, count);
}, reduceCall);

/** max/min: the gradient goes to the elements equal to the extreme, split evenly between ties. */
function extreme(name: 'max' | 'min') {
  return defineOp(name, 'differentiable', (x: Tensor, axes?: Axes, keepDims = false): Tensor => {
    const y = runReduce(name, name, x, axes, keepDims, x.dtype);
    const norm = normAxes(axes, x.rank, name);
    return record(name, y, [x], (dy) => {
      const mask = noGrad(() => {
        const hits = cast(eq(x, expandBack(y, x, norm)), dy.dtype);
        return div(hits, expandBack(sum(hits, norm, true), x, norm));
      });
      return [mul(expandBack(dy, x, norm), mask)];
    });
  }, reduceCall);
}
export const max = extreme('max');
export const min = extreme('min');

// d/dxᵢ Πx = Πx / xᵢ (defined for non-zero inputs)
export const prod = defineOp('prod', 'differentiable', (x: Tensor, axes?: Axes, keepDims = false): Tensor => {
  const y = runReduce('prod', 'prod', x, axes, keepDims, sumDType(x.dtype));
  const norm = normAxes(axes, x.rank, 'prod');
  return record('prod', y, [x], (dy) => [div(mul(expandBack(dy, x, norm), expandBack(y, x, norm)), x)]);
}, reduceCall);

function argExtreme(name: 'argmax' | 'argmin') {
  return defineOp(name, 'nondifferentiable', (x: Tensor, axis?: number, keepDims = false): Tensor => {
    if (axis === undefined) {
      const flat = reshape(x, [-1]);
      const r = runReduce(name, name, flat, [0], false, 'int32');
      return keepDims ? reshape(r, x.shape.map(() => 1)) : r;
    }
    return runReduce(name, name, x, [axis], keepDims, 'int32');
  }, reduceCall);
}
/** Index of the first maximum along `axis` (over the flattened tensor when omitted). */
export const argmax = argExtreme('argmax');
export const argmin = argExtreme('argmin');

export const all = defineOp('all', 'nondifferentiable', (x: Tensor, axes?: Axes, keepDims = false): Tensor =>
  runReduce('all', 'all', x, axes, keepDims, 'bool'),
  reduceCall,
);
export const any = defineOp('any', 'nondifferentiable', (x: Tensor, axes?: Axes, keepDims = false): Tensor =>
  runReduce('any', 'any', x, axes, keepDims, 'bool'),
  reduceCall,
);

export interface VarianceOptions {
  keepDims?: boolean;
  /** Subtracted from the count in the denominator: 0 = population (default, as Keras), 1 = sample (Bessel). */
  correction?: number;
}

const varianceCall: CallSpec = { maxArgs: 3, optionsAt: 2, options: optionNames<VarianceOptions>()('keepDims', 'correction') };

export const variance = defineOp('variance', 'differentiable', (x: Tensor, axes?: Axes, options: VarianceOptions = {}): Tensor => {
  const norm = normAxes(axes, x.rank, 'variance');
  const count = sizeOf(norm.map((a) => x.shape[a]!));
  const centered = sub(x, mean(x, norm, true));
  return div(sum(mul(centered, centered), norm, options.keepDims ?? false), Math.max(count - (options.correction ?? 0), 0));
}, varianceCall);

export const std = defineOp('std', 'differentiable', (x: Tensor, axes?: Axes, options: VarianceOptions = {}): Tensor =>
  sqrt(variance(x, axes, options)),
  varianceCall,
);

/** log Σ exp(x), stable for large inputs (the max is subtracted first). */
export const logSumExp = defineOp('logSumExp', 'differentiable', (x: Tensor, axes?: Axes, keepDims = false): Tensor => {
  const norm = normAxes(axes, x.rank, 'logSumExp');
  const m = noGrad(() => {
    const raw = max(x, norm, true);
    // An all -inf slice would give inf - inf = NaN; shifting by 0 there keeps the answer -inf.
    return where(isFinite(raw), raw, 0);
  });
  const out = add(log(sum(exp(sub(x, m)), norm, true)), m);
  return keepDims ? out : reshape(out, reducedShape(x.shape, norm, false));
}, reduceCall);

/** Sums `x` down to `shape` (the adjoint of broadcasting). */
export function sumTo(x: Tensor, shape: Shape): Tensor {
  if (shapesEqual(x.shape, shape)) return x;
  const lead = x.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < x.rank; i++) if (i < lead || (shape[i - lead] === 1 && x.shape[i] !== 1)) axes.push(i);
  return reshape(sum(x, axes, true), shape);
}

/** The p-norm over `axes` (all by default): (Σ|x|ᵖ)^(1/p); p = 2 is the Euclidean norm. */
export const norm = defineOp('norm', 'differentiable', (x: Tensor, p = 2, axes?: Axes, keepDims = false): Tensor => {
  if (!(p > 0)) throw new ShapeError(`norm: p must be positive, got ${p}`);
  if (p === 2) return sqrt(sum(mul(x, x), axes, keepDims));
  return sum(abs(x).pow(p), axes, keepDims).pow(1 / p);
}, { maxArgs: 4 });
