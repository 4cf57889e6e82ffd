/**
 * The Tensor: an immutable n-dimensional array on one backend, optionally part of an autograd graph.
 * The layers above attach the rest of its methods, so this folder imports none of them: `ops/`
 * the op aliases (`x.add(y)`, see ops/tensor-methods.ts), `autograd/` `backward()`.
 */
import type { Backend, DataId, TensorRef } from '../backend/contract.js';
import { traceRecorder, tracedBackend } from '../backend/trace-hook.js';
import { DisposedError, DTypeError, ShapeError } from '../errors.js';
import type { GradNode } from './grad-node.js';
import type { DType, TypedArray } from './dtype.js';
import type { Shape } from './shape.js';
import { formatShape, shapesEqual, sizeOf } from './shape.js';
import { Lease, Storage, keepOwner, retarget, track, untrack } from './storage.js';
import { formatTensor } from './format.js';
import { toNested, type NestedArray } from './nested.js';

/** Why reading values is refused in a traced function. */
const READ_REFUSAL = 'reads tensor values, which a compiled graph cannot repeat (a later call would reuse the traced value or branch); return the tensor from the compiled function and read it outside';

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

  /** The backend holding the buffer (while a graph is traced, the recorder's view of it). */
  get backend(): Backend {
    return tracedBackend(this.storage.backend);
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
    if (value.backend === this.backend) {
      retarget(this, value.storage);
      return this;
    }
    // A copy on this tensor's backend, held by this tensor alone.
    const copy = new Storage(this.backend, this.backend.upload(value.dataSync()), value.storage.bytes);
    retarget(this, copy);
    copy.release(true);
    return this;
  }

  // ---- read-back ----

  /** A copy of the values on the host. */
  dataSync(): TypedArray {
    traceRecorder()?.refuse('dataSync()', READ_REFUSAL);
    return this.backend.readSync(this);
  }

  data(): Promise<TypedArray> {
    traceRecorder()?.refuse('data()', READ_REFUSAL);
    return this.backend.read(this);
  }

  /** Values as nested JS arrays (booleans for bool tensors). */
  toArray(): NestedArray {
    traceRecorder()?.refuse('toArray()', READ_REFUSAL);
    return toNested(this.dataSync(), this.shape, this.dtype);
  }

  /** The value of a one-element tensor. */
  item(): number {
    traceRecorder()?.refuse('item()', READ_REFUSAL);
    if (this.size !== 1) throw new ShapeError(`item: tensor has ${this.size} elements ${formatShape(this.shape)}, expected 1`);
    return this.dataSync()[0]!;
  }

  toString(): string {
    return formatTensor(this);
  }
}
