/**
 * The reference backend: plain TypeScript over typed arrays. It is the executable specification every
 * other backend is tested against, and the only one with float64 (used by gradient checks).
 */
import type { ActivationOp, AdamStepScalars, Backend, BackendMemory, BinaryOp, Conv2DInfo, DataId, HogInfo, MatMulInfo, ResizeGrayInfo, WindowScoresInfo, OutputEpilogue, Pool2DInfo, ReduceOp, TensorRef, UnaryOp } from '../../backend/contract.js';
import { registerBackend } from '../../backend/registry.js';
import { BackendError } from '../../errors.js';
import type { DType, TypedArray } from '../../tensor/dtype.js';
import { allocArray, DTYPES } from '../../tensor/dtype.js';
import type { Shape } from '../../tensor/shape.js';
import { adamStep } from './adam.js';
import * as conv from './conv.js';
import * as elementwise from './elementwise.js';
import { applyEpilogue } from './epilogue.js';
import { hog } from './hog.js';
import { softmaxCrossEntropy, softmaxCrossEntropyGrad } from './softmax-cross-entropy.js';
import { resizeGray } from './resize-gray.js';
import { windowScores } from './window-scores.js';
import { matmul } from './matmul.js';
import * as movement from './movement.js';
import * as pool from './pool.js';
import { reduce } from './reduce.js';

export class ReferenceBackend implements Backend {
  readonly name: string = 'reference';
  readonly dtypes: readonly DType[] = DTYPES;
  private buffers = 0;
  private bytes = 0;

  /** The typed array behind a buffer (also used by backends that fall back to these kernels). */
  values(x: TensorRef | DataId): TypedArray {
    const id = 'id' in x ? (x as TensorRef).id : x;
    if (!ArrayBuffer.isView(id)) throw new BackendError(`${this.name}: buffer does not belong to this backend`);
    return id as TypedArray;
  }

  /** Takes ownership of a kernel's output (counted in `memory()`); subclasses adding kernels use it too. */
  protected own(values: TypedArray): DataId {
    this.buffers++;
    this.bytes += values.byteLength;
    return values;
  }

  upload(values: TypedArray): DataId {
    return this.own(values.slice());
  }

  fill(size: number, value: number, dtype: DType): DataId {
    const out = allocArray(dtype, size);
    if (value !== 0) out.fill(value);
    return this.own(out);
  }

  readSync(x: TensorRef): TypedArray {
    return this.values(x).slice();
  }

  read(x: TensorRef): Promise<TypedArray> {
    return Promise.resolve(this.readSync(x));
  }

  free(id: DataId): void {
    this.buffers--;
    this.bytes -= this.values(id).byteLength;
  }

  memory(): BackendMemory {
    return { buffers: this.buffers, bytes: this.bytes };
  }

  unary(op: UnaryOp, x: TensorRef, outDType: DType): DataId {
    return this.own(elementwise.unary(op, this.values(x), outDType));
  }

  activationGrad(op: ActivationOp, dy: TensorRef, y: TensorRef): DataId {
    return this.own(elementwise.activationGrad(op, this.values(dy), this.values(y), dy.dtype));
  }

  adamStep(param: TensorRef, grad: TensorRef, m: TensorRef, v: TensorRef, scalars: AdamStepScalars): [DataId, DataId, DataId] {
    for (const [name, t] of [['param', param], ['grad', grad], ['m', m], ['v', v]] as const) {
      if (t.dtype !== 'float32') throw new BackendError(`${this.name}: adamStep needs float32 buffers, ${name} is ${t.dtype}`);
    }
    const [p, mOut, vOut] = adamStep(this.values(param) as Float32Array, this.values(grad) as Float32Array, this.values(m) as Float32Array, this.values(v) as Float32Array, scalars);
    return [this.own(p), this.own(mOut), this.own(vOut)];
  }

  /** The step through `adamStep` (a subclass's own kernel included), its results copied into the operands. */
  adamStepInPlace(param: TensorRef, grad: TensorRef, m: TensorRef, v: TensorRef, scalars: AdamStepScalars): void {
    const results = this.adamStep(param, grad, m, v, scalars);
    [param, m, v].forEach((target, i) => {
      this.values(target).set(this.values(results[i]!));
      this.free(results[i]!);
    });
  }

  binary(op: BinaryOp, a: TensorRef, b: TensorRef, outShape: Shape, outDType: DType): DataId {
    return this.own(elementwise.binary(op, this.values(a), a.shape, this.values(b), b.shape, outShape, outDType));
  }

  where(condition: TensorRef, a: TensorRef, b: TensorRef, outShape: Shape): DataId {
    const v = (t: TensorRef): TypedArray => this.values(t);
    return this.own(elementwise.where(v(condition), condition.shape, v(a), a.shape, v(b), b.shape, outShape, a.dtype));
  }

  cast(x: TensorRef, dtype: DType): DataId {
    return this.own(elementwise.cast(this.values(x), dtype));
  }

  stridedCopy(x: TensorRef, outShape: Shape, strides: readonly number[], offset: number): DataId {
    return this.own(movement.stridedCopy(this.values(x), x.dtype, outShape, strides, offset));
  }

  stridedScatter(base: TensorRef, src: TensorRef, strides: readonly number[], offset: number): DataId {
    return this.own(movement.stridedScatter(this.values(base), this.values(src), src.shape, strides, offset));
  }

  concat(inputs: readonly TensorRef[], axis: number, outShape: Shape): DataId {
    const parts = inputs.map((t) => ({ values: this.values(t), shape: t.shape }));
    return this.own(movement.concat(parts, axis, outShape, inputs[0]!.dtype));
  }

  gather(x: TensorRef, indices: TensorRef, axis: number): DataId {
    return this.own(movement.gather(this.values(x), x.shape, this.values(indices) as Int32Array, axis, x.dtype));
  }

  scatterAdd(base: TensorRef, indices: TensorRef, src: TensorRef, axis: number): DataId {
    return this.own(movement.scatterAdd(this.values(base), base.shape, this.values(indices) as Int32Array, this.values(src), axis));
  }

  reduce(op: ReduceOp, x: TensorRef, outer: number, reduceSize: number, inner: number, outDType: DType): DataId {
    return this.own(reduce(op, this.values(x), outer, reduceSize, inner, outDType));
  }

  topk(x: TensorRef, k: number, largest: boolean): { values: DataId; indices: DataId } {
    const r = movement.topk(this.values(x), x.shape, k, largest, x.dtype);
    return { values: this.own(r.values), indices: this.own(r.indices) };
  }

  matmul(a: TensorRef, b: TensorRef, info: MatMulInfo, epilogue?: OutputEpilogue): DataId {
    return this.own(this.finish(matmul(this.values(a), this.values(b), info, a.dtype), epilogue));
  }

  conv2d(x: TensorRef, filter: TensorRef, info: Conv2DInfo, epilogue?: OutputEpilogue): DataId {
    return this.own(this.finish(conv.conv2d(this.values(x), this.values(filter), info, x.dtype), epilogue));
  }

  private finish(out: TypedArray, epilogue: OutputEpilogue | undefined): TypedArray {
    if (!epilogue) return out;
    const { bias, residual, relu } = epilogue;
    return applyEpilogue(out, bias && this.values(bias), residual ? this.values(residual) : null, relu);
  }

  conv2dBackpropInput(dy: TensorRef, filter: TensorRef, info: Conv2DInfo): DataId {
    return this.own(conv.conv2dBackpropInput(this.values(dy), this.values(filter), info, dy.dtype));
  }

  conv2dBackpropFilter(x: TensorRef, dy: TensorRef, info: Conv2DInfo): DataId {
    return this.own(conv.conv2dBackpropFilter(this.values(x), this.values(dy), info, x.dtype));
  }

  pool2d(kind: 'max' | 'avg', x: TensorRef, info: Pool2DInfo): DataId {
    return this.own(pool.pool2d(kind, this.values(x), info, x.dtype));
  }

  pool2dBackward(kind: 'max' | 'avg', dy: TensorRef, x: TensorRef, info: Pool2DInfo): DataId {
    return this.own(pool.pool2dBackward(kind, this.values(dy), this.values(x), info, dy.dtype));
  }

  softmaxCrossEntropy(logits: TensorRef, labels: TensorRef, rows: number, classes: number): [DataId, DataId] {
    const [losses, softmax] = softmaxCrossEntropy(this.values(logits) as Float32Array | Float64Array, this.values(labels) as Int32Array, rows, classes);
    return [this.own(losses), this.own(softmax)];
  }

  softmaxCrossEntropyGrad(softmax: TensorRef, labels: TensorRef, dy: TensorRef, rows: number, classes: number): DataId {
    return this.own(softmaxCrossEntropyGrad(this.values(softmax) as Float32Array | Float64Array, this.values(labels) as Int32Array, this.values(dy) as Float32Array | Float64Array, rows, classes));
  }

  hog(image: TensorRef, info: HogInfo): DataId {
    return this.own(hog(this.values(image) as Float32Array, info));
  }

  resizeGray(image: TensorRef, info: ResizeGrayInfo): DataId {
    return this.own(resizeGray(this.values(image), info));
  }

  windowScores(map: TensorRef, weights: TensorRef, info: WindowScoresInfo): DataId {
    return this.own(windowScores(this.values(map), this.values(weights), info));
  }
}

registerBackend('reference', () => new ReferenceBackend(), 0);
