/**
 * The Tensor: an immutable n-dimensional array on one backend, optionally part of an autograd graph.
 * Methods are thin aliases of the functions in `ops/`; the op files hold the logic and gradients.
 */
import type { Backend, DataId, TensorRef } from '../backend/contract.js';
import { DisposedError, DTypeError, ShapeError } from '../errors.js';
import type { GradNode } from '../autograd/graph.js';
import * as ops from '../ops/index.js';
import { backward as runBackward } from '../autograd/backward.js';
import type { DType, TypedArray } from './dtype.js';
import type { Shape } from './shape.js';
import { formatShape, shapesEqual, sizeOf } from './shape.js';
import { Lease, Storage, keepOwner, retarget, track, untrack } from './storage.js';
import { formatTensor } from './format.js';
import { toNested, type NestedArray } from './nested.js';

type Axes = number | readonly number[];

export class Tensor implements TensorRef {
  /** This tensor's reference to its storage (shared between tensors that view one buffer, as reshape does). */
  readonly lease: Lease;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly size: number;
  /** Accumulated gradient after `backward()`, for tensors that require one. */
  grad: Tensor | null = null;
  private requires = false;
  private node: GradNode | null = null;
  private disposed = false;

  /** Internal: wraps a backend buffer. Users create tensors with `tensor()`, `zeros()` … */
  constructor(storage: Storage, shape: Shape, dtype: DType) {
    this.lease = new Lease(storage);
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.size = sizeOf(shape);
    track(this);
  }

  get storage(): Storage {
    return this.lease.storage;
  }

  get id(): DataId {
    if (this.disposed) throw new DisposedError(`tensor ${formatShape(this.shape)} ${this.dtype} was used after dispose()`);
    return this.storage.id;
  }

  /** Another reference to this tensor's storage, for tensors that view the same buffer. */
  shareStorage(): Storage {
    if (this.disposed) throw new DisposedError(`tensor ${formatShape(this.shape)} ${this.dtype} was used after dispose()`);
    return this.storage.retain();
  }

  get backend(): Backend {
    return this.storage.backend;
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  // ---- autograd ----

  get requiresGrad(): boolean {
    return this.requires;
  }

  set requiresGrad(value: boolean) {
    if (value && this.dtype !== 'float32' && this.dtype !== 'float64') {
      throw new DTypeError(`requiresGrad: only floating-point tensors can require gradients, this one is ${this.dtype}`);
    }
    this.requires = value;
  }

  /** Marks this tensor as a leaf that accumulates `.grad`; returns it for chaining. */
  requiresGrad_(value = true): this {
    this.requiresGrad = value;
    return this;
  }

  /** The op that produced this tensor in the recorded graph, if any. */
  get gradFn(): GradNode | null {
    return this.node;
  }

  /** Internal: attaches the graph node (see `autograd/graph.ts`). */
  setGradFn(node: GradNode): void {
    this.node = node;
    this.requires = true;
  }

  get isLeaf(): boolean {
    return this.node === null;
  }

  /** Back-propagates from this tensor into the `.grad` of every leaf that requires a gradient. */
  backward(gradient?: Tensor, options?: { retainGraph?: boolean; createGraph?: boolean }): void {
    runBackward(this, gradient, options);
  }

  /** A tensor sharing this one's storage, cut from the graph. */
  detach(): Tensor {
    return new Tensor(this.shareStorage(), this.shape, this.dtype);
  }

  zeroGrad(): void {
    this.grad = null;
  }

  // ---- lifetime ----

  /** Frees the storage now (it is also freed when this object is garbage-collected). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.node = null;
    untrack(this);
  }

  /** Keeps this tensor alive past the end of the `scope()` it was created in. */
  keep(): this {
    keepOwner(this);
    return this;
  }

  /** Replaces the contents in place (same shape and dtype), e.g. for parameter updates. */
  assign(value: Tensor): this {
    if (!shapesEqual(value.shape, this.shape) || value.dtype !== this.dtype) {
      throw new ShapeError(
        `assign: value ${formatShape(value.shape)} ${value.dtype} does not match tensor ${formatShape(this.shape)} ${this.dtype}`,
      );
    }
    if (value.backend !== this.backend) value = value.to(this.backend.name);
    retarget(this, value.storage);
    return this;
  }

  // ---- read-back ----

  /** A copy of the values on the host. */
  dataSync(): TypedArray {
    return this.backend.readSync(this);
  }

  data(): Promise<TypedArray> {
    return this.backend.read(this);
  }

  /** Values as nested JS arrays (booleans for bool tensors). */
  toArray(): NestedArray {
    return toNested(this.dataSync(), this.shape, this.dtype);
  }

  /** The value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new ShapeError(`item: tensor has ${this.size} elements ${formatShape(this.shape)}, expected 1`);
    return this.dataSync()[0]!;
  }

  toString(): string {
    return formatTensor(this);
  }

  // ---- op aliases (see ops/) ----
  add(other: Tensor | number): Tensor { return ops.add(this, other); }
  sub(other: Tensor | number): Tensor { return ops.sub(this, other); }
  mul(other: Tensor | number): Tensor { return ops.mul(this, other); }
  div(other: Tensor | number): Tensor { return ops.div(this, other); }
  pow(other: Tensor | number): Tensor { return ops.pow(this, other); }
  maximum(other: Tensor | number): Tensor { return ops.maximum(this, other); }
  minimum(other: Tensor | number): Tensor { return ops.minimum(this, other); }
  neg(): Tensor { return ops.neg(this); }
  abs(): Tensor { return ops.abs(this); }
  sqrt(): Tensor { return ops.sqrt(this); }
  exp(): Tensor { return ops.exp(this); }
  log(): Tensor { return ops.log(this); }
  square(): Tensor { return ops.square(this); }
  clamp(min?: number, max?: number): Tensor { return ops.clamp(this, min, max); }
  eq(other: Tensor | number): Tensor { return ops.eq(this, other); }
  ne(other: Tensor | number): Tensor { return ops.ne(this, other); }
  lt(other: Tensor | number): Tensor { return ops.lt(this, other); }
  le(other: Tensor | number): Tensor { return ops.le(this, other); }
  gt(other: Tensor | number): Tensor { return ops.gt(this, other); }
  ge(other: Tensor | number): Tensor { return ops.ge(this, other); }
  relu(): Tensor { return ops.relu(this); }
  sigmoid(): Tensor { return ops.sigmoid(this); }
  tanh(): Tensor { return ops.tanh(this); }
  softmax(axis = -1): Tensor { return ops.softmax(this, axis); }
  logSoftmax(axis = -1): Tensor { return ops.logSoftmax(this, axis); }
  sum(axes?: Axes, keepDims = false): Tensor { return ops.sum(this, axes, keepDims); }
  mean(axes?: Axes, keepDims = false): Tensor { return ops.mean(this, axes, keepDims); }
  max(axes?: Axes, keepDims = false): Tensor { return ops.max(this, axes, keepDims); }
  min(axes?: Axes, keepDims = false): Tensor { return ops.min(this, axes, keepDims); }
  prod(axes?: Axes, keepDims = false): Tensor { return ops.prod(this, axes, keepDims); }
  argmax(axis?: number, keepDims = false): Tensor { return ops.argmax(this, axis, keepDims); }
  argmin(axis?: number, keepDims = false): Tensor { return ops.argmin(this, axis, keepDims); }
  matmul(other: Tensor): Tensor { return ops.matmul(this, other); }
  reshape(shape: Shape): Tensor { return ops.reshape(this, shape); }
  flatten(startAxis = 0, endAxis = -1): Tensor { return ops.flatten(this, startAxis, endAxis); }
  squeeze(axes?: Axes): Tensor { return ops.squeeze(this, axes); }
  unsqueeze(axis: number): Tensor { return ops.unsqueeze(this, axis); }
  permute(...perm: number[]): Tensor { return ops.permute(this, perm); }
  transpose(axisA?: number, axisB?: number): Tensor { return ops.transpose(this, axisA, axisB); }
  /** Matrix transpose of the last two axes. */
  get T(): Tensor { return ops.transpose(this); }
  expand(shape: Shape): Tensor { return ops.broadcastTo(this, shape); }
  gather(indices: Tensor, axis = 0): Tensor { return ops.gather(this, indices, axis); }
  cast(dtype: DType): Tensor { return ops.cast(this, dtype); }
  /** A copy on another backend (the same tensor if it is already there). */
  to(backendName: string): Tensor { return ops.toBackend(this, backendName); }
  clone(): Tensor { return ops.clone(this); }
}
