/**
 * The op methods of Tensor (`x.add(y)`, `x.T` …): thin aliases of the functions in this folder,
 * declared on Tensor by module augmentation and attached to its prototype here, so that `tensor/`
 * does not import the ops that are built on it. Loaded by `ops/index.ts`, hence by every entry point.
 */
import type { DType } from '../tensor/dtype.js';
import type { Shape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { logSoftmax, softmax } from './activations.js';
import { add, clamp, div, maximum, minimum, mul, pow, sub } from './arithmetic.js';
import { broadcastTo } from './broadcast.js';
import { cast } from './cast.js';
import { eq, ge, gt, le, lt, ne } from './compare.js';
import { gather } from './gather.js';
import { matmul } from './matmul.js';
import { clone, toBackend } from './misc.js';
import { permute, transpose } from './permute.js';
import { argmax, argmin, max, mean, min, prod, sum } from './reduce.js';
import { flatten, reshape, squeeze, unsqueeze } from './reshape.js';
import { abs, exp, log, neg, relu, sigmoid, sqrt, square, tanh } from './unary.js';

type Axes = number | readonly number[];

/** Tensor methods that alias an op: `x.add(y)` is `add(x, y)`. */
export interface TensorOpMethods {
  add(other: Tensor | number): Tensor;
  sub(other: Tensor | number): Tensor;
  mul(other: Tensor | number): Tensor;
  div(other: Tensor | number): Tensor;
  pow(other: Tensor | number): Tensor;
  maximum(other: Tensor | number): Tensor;
  minimum(other: Tensor | number): Tensor;
  neg(): Tensor;
  abs(): Tensor;
  sqrt(): Tensor;
  exp(): Tensor;
  log(): Tensor;
  square(): Tensor;
  clamp(min?: number, max?: number): Tensor;
  eq(other: Tensor | number): Tensor;
  ne(other: Tensor | number): Tensor;
  lt(other: Tensor | number): Tensor;
  le(other: Tensor | number): Tensor;
  gt(other: Tensor | number): Tensor;
  ge(other: Tensor | number): Tensor;
  relu(): Tensor;
  sigmoid(): Tensor;
  tanh(): Tensor;
  softmax(axis?: number): Tensor;
  logSoftmax(axis?: number): Tensor;
  sum(axes?: Axes, keepDims?: boolean): Tensor;
  mean(axes?: Axes, keepDims?: boolean): Tensor;
  max(axes?: Axes, keepDims?: boolean): Tensor;
  min(axes?: Axes, keepDims?: boolean): Tensor;
  prod(axes?: Axes, keepDims?: boolean): Tensor;
  argmax(axis?: number, keepDims?: boolean): Tensor;
  argmin(axis?: number, keepDims?: boolean): Tensor;
  matmul(other: Tensor): Tensor;
  reshape(shape: Shape): Tensor;
  flatten(startAxis?: number, endAxis?: number): Tensor;
  squeeze(axes?: Axes): Tensor;
  unsqueeze(axis: number): Tensor;
  permute(...perm: number[]): Tensor;
  transpose(axisA?: number, axisB?: number): Tensor;
  expand(shape: Shape): Tensor;
  gather(indices: Tensor, axis?: number): Tensor;
  cast(dtype: DType): Tensor;
  /** A copy on another backend (the same tensor if it is already there). */
  to(backendName: string): Tensor;
  clone(): Tensor;
}

declare module '../tensor/tensor.js' {
  interface Tensor extends TensorOpMethods {
    /** Matrix transpose of the last two axes. */
    readonly T: Tensor;
  }
}

const methods: TensorOpMethods & ThisType<Tensor> = {
  add(other) { return add(this, other); },
  sub(other) { return sub(this, other); },
  mul(other) { return mul(this, other); },
  div(other) { return div(this, other); },
  pow(other) { return pow(this, other); },
  maximum(other) { return maximum(this, other); },
  minimum(other) { return minimum(this, other); },
  neg() { return neg(this); },
  abs() { return abs(this); },
  sqrt() { return sqrt(this); },
  exp() { return exp(this); },
  log() { return log(this); },
  square() { return square(this); },
  clamp(lower, upper) { return clamp(this, lower, upper); },
  eq(other) { return eq(this, other); },
  ne(other) { return ne(this, other); },
  lt(other) { return lt(this, other); },
  le(other) { return le(this, other); },
  gt(other) { return gt(this, other); },
  ge(other) { return ge(this, other); },
  relu() { return relu(this); },
  sigmoid() { return sigmoid(this); },
  tanh() { return tanh(this); },
  softmax(axis = -1) { return softmax(this, axis); },
  logSoftmax(axis = -1) { return logSoftmax(this, axis); },
  sum(axes, keepDims = false) { return sum(this, axes, keepDims); },
  mean(axes, keepDims = false) { return mean(this, axes, keepDims); },
  max(axes, keepDims = false) { return max(this, axes, keepDims); },
  min(axes, keepDims = false) { return min(this, axes, keepDims); },
  prod(axes, keepDims = false) { return prod(this, axes, keepDims); },
  argmax(axis, keepDims = false) { return argmax(this, axis, keepDims); },
  argmin(axis, keepDims = false) { return argmin(this, axis, keepDims); },
  matmul(other) { return matmul(this, other); },
  reshape(shape) { return reshape(this, shape); },
  flatten(startAxis = 0, endAxis = -1) { return flatten(this, startAxis, endAxis); },
  squeeze(axes) { return squeeze(this, axes); },
  unsqueeze(axis) { return unsqueeze(this, axis); },
  permute(...perm) { return permute(this, perm); },
  transpose(axisA, axisB) { return transpose(this, axisA, axisB); },
  expand(shape) { return broadcastTo(this, shape); },
  gather(indices, axis = 0) { return gather(this, indices, axis); },
  cast(dtype) { return cast(this, dtype); },
  to(backendName) { return toBackend(this, backendName); },
  clone() { return clone(this); },
};

// Non-enumerable, like the methods a class body defines.
for (const [name, value] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, { value, writable: true, configurable: true });
}
Object.defineProperty(Tensor.prototype, 'T', {
  get(this: Tensor): Tensor {
    return transpose(this);
  },
  configurable: true,
});
