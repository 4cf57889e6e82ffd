/**
 * The native backend: tensors are JS typed arrays owned by this backend (as on the reference
 * backend, which it extends), and the float32 hot paths — GEMM, convolutions, elementwise ops,
 * reductions, pooling, the Adam step, the HOG detector's HOG maps, resizing and window scores — run in
 * C on those arrays in place. Everything else (other dtypes, gather, topk, movement) is the reference
 * kernel on the same arrays: no copy, no second home for the data.
 */
import os from 'node:os';
import type {
  ActivationOp, AdamStepScalars, BackendMemory, BinaryOp, Conv2DInfo, DataId, DType, ElementwiseProgram, HogInfo, MatMulInfo, OutputEpilogue, Pool2DInfo,
  ReduceOp, ResizeGrayInfo, Shape, TensorRef, TypedArray, UnaryOp, WindowScoresInfo,
} from 'tensile';
import { BackendError, HOG_CHANNELS, ReferenceBackend, resampleTaps } from 'tensile';
import { broadcastPlan } from './broadcast.js';
import { Descriptors } from './descriptors.js';
import { type Isa, loadKernels, type NativeKernels } from './kernels.js';
import { Recycler } from './recycler.js';

export interface NativeBackendOptions {
  /** Threads kernels use, the caller's included (default: TENSILE_THREADS, else every core). */
  readonly threads?: number;
  /** Bytes of freed buffers kept for reuse (default 256 MiB). */
  readonly recycleBytes?: number;
}

/** Op name → the kernel's code for it. */
const codes = (names: readonly string[]): Map<string, number> => new Map(names.map((name, i) => [name, i]));

const CONV_FIELDS = [
  'batch', 'inHeight', 'inWidth', 'inChannels', 'outHeight', 'outWidth', 'outChannels', 'filterHeight', 'filterWidth',
  'strideHeight', 'strideWidth', 'dilationHeight', 'dilationWidth', 'padTop', 'padLeft', 'groups',
] as const satisfies readonly (keyof Conv2DInfo)[];

const POOL_FIELDS = [
  'batch', 'inHeight', 'inWidth', 'channels', 'outHeight', 'outWidth', 'filterHeight', 'filterWidth', 'strideHeight', 'strideWidth', 'padTop', 'padLeft',
] as const satisfies readonly (keyof Pool2DInfo)[];

const COMPARISONS: ReadonlySet<BinaryOp> = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);
const PREDICATES: ReadonlySet<UnaryOp> = new Set(['isNaN', 'isFinite']);

function threadsFrom(requested: number | undefined): number {
  const fromEnv = Number(process.env['TENSILE_THREADS']);
  const threads = requested ?? (Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : os.availableParallelism());
  if (!Number.isInteger(threads) || threads < 1) throw new BackendError(`native: threads must be a positive integer, got ${String(threads)}`);
  return threads;
}

export class NativeBackend extends ReferenceBackend {
  override readonly name: string = 'native';
  override readonly dtypes: readonly DType[] = ['float32', 'int32', 'bool'];
  readonly threads: number;
  /** The GEMM micro-kernel in use (process-wide: TENSILE_NATIVE_ISA, else the best the CPU has). */
  readonly isa: Isa;
  private readonly kernels: NativeKernels;
  private readonly unaryCodes: Map<string, number>;
  private readonly activationCodes: Map<string, number>;
  private readonly binaryCodes: Map<string, number>;
  private readonly reduceCodes: Map<string, number>;
  private readonly fusedCodes: Map<string, number>;
  /**
   * Each fused program's steps as the kernel reads them, encoded once, and its flags of single-value
   * inputs, refilled at each call (kept, as the descriptors are: see descriptors.ts).
   */
  private readonly fusedPrograms = new WeakMap<ElementwiseProgram, { steps: Int32Array; scalar: Int32Array }>();
  private readonly recycler: Recycler;
  private readonly descriptors = new Descriptors();

  constructor(options: NativeBackendOptions = {}) {
    super();
    const { kernels, isa } = loadKernels();
    this.kernels = kernels;
    this.threads = threadsFrom(options.threads);
    this.isa = kernels.select(isa, this.threads);
    const names = this.kernels.opNames();
    this.unaryCodes = codes(names.unary);
    this.activationCodes = codes(names.activation);
    this.binaryCodes = codes(names.binary);
    this.reduceCodes = codes(names.reduce);
    this.fusedCodes = codes(names.fused);
    this.recycler = new Recycler(options.recycleBytes ?? 256 * 2 ** 20);
  }

  override free(id: DataId): void {
    super.free(id);
    this.recycler.give(this.values(id));
  }

  /** A float32 output; `zero` when the kernel accumulates into it rather than writing every element. */
  private floats(length: number, zero = false): Float32Array {
    return this.recycler.take(Float32Array, length, zero);
  }

  private booleans(length: number): Uint8Array {
    return this.recycler.take(Uint8Array, length, false);
  }

  override memory(): BackendMemory {
    return { ...super.memory(), threads: this.threads, avx512: this.isa === 'avx512' ? 1 : 0, recycledBytes: this.recycler.bytes };
  }

  /** A float32 upload into a recycled array: a fresh one per frame (a detector's 640×480 gray image) costs ~4 ms. */
  override upload(values: TypedArray): DataId {
    if (!(values instanceof Float32Array)) return super.upload(values);
    const out = this.floats(values.length);
    out.set(values);
    return this.own(out);
  }

  private f32(x: TensorRef): Float32Array {
    return this.values(x) as Float32Array;
  }

  override unary(op: UnaryOp, x: TensorRef, outDType: DType): DataId {
    const code = this.unaryCodes.get(op);
    if (code === undefined || x.dtype !== 'float32' || outDType !== (PREDICATES.has(op) ? 'bool' : 'float32')) return super.unary(op, x, outDType);
    const input = this.f32(x);
    const out = outDType === 'bool' ? this.booleans(input.length) : this.floats(input.length);
    this.kernels.unary(code, input, out, this.threads);
    return this.own(out);
  }

  override activationGrad(op: ActivationOp, dy: TensorRef, y: TensorRef): DataId {
    const code = this.activationCodes.get(op);
    if (code === undefined || dy.dtype !== 'float32' || y.dtype !== 'float32') return super.activationGrad(op, dy, y);
    const out = this.floats(this.f32(dy).length);
    this.kernels.activationGrad(code, this.f32(dy), this.f32(y), out, this.threads);
    return this.own(out);
  }

  override adamStep(param: TensorRef, grad: TensorRef, m: TensorRef, v: TensorRef, s: AdamStepScalars): [DataId, DataId, DataId] {
    if (![param, grad, m, v].every((t) => t.dtype === 'float32')) return super.adamStep(param, grad, m, v, s);
    const n = this.f32(param).length;
    const [p, mOut, vOut] = [this.floats(n), this.floats(n), this.floats(n)];
    this.kernels.adamStep(this.f32(param), this.f32(grad), this.f32(m), this.f32(v), p, mOut, vOut, this.adamScalars(s), this.threads);
    return [this.own(p), this.own(mOut), this.own(vOut)];
  }

  /** A compiled step's Adam update (graph/in-place.ts): the kernel writes param, m and v themselves. */
  override adamStepInPlace(param: TensorRef, grad: TensorRef, m: TensorRef, v: TensorRef, s: AdamStepScalars): void {
    if (![param, grad, m, v].every((t) => t.dtype === 'float32')) {
      super.adamStepInPlace(param, grad, m, v, s);
      return;
    }
    const [p, mIn, vIn] = [this.f32(param), this.f32(m), this.f32(v)];
    this.kernels.adamStep(p, this.f32(grad), mIn, vIn, p, mIn, vIn, this.adamScalars(s), this.threads);
  }

  override binary(op: BinaryOp, a: TensorRef, b: TensorRef, outShape: Shape, outDType: DType): DataId {
    const code = this.binaryCodes.get(op);
    const native = code !== undefined && a.dtype === 'float32' && b.dtype === 'float32' && outDType === (COMPARISONS.has(op) ? 'bool' : 'float32') && outShape.length <= 8;
    if (!native) return super.binary(op, a, b, outShape, outDType);
    const plan = broadcastPlan(a.shape, b.shape, outShape);
    const size = outShape.reduce((x, y) => x * y, 1);
    const out = outDType === 'bool' ? this.booleans(size) : this.floats(size);
    const d = this.descriptors;
    this.kernels.binary(code, this.f32(a), d.of(0, plan.aStrides), this.f32(b), d.of(1, plan.bStrides), out, d.of(2, plan.shape), this.threads);
    return this.own(out);
  }

  /** A compiled graph's chain of float32 elementwise ops in one pass (graph/fuse.ts). */
  fusedElementwise(program: ElementwiseProgram, inputs: readonly TensorRef[], size: number): DataId {
    let encoded = this.fusedPrograms.get(program);
    if (!encoded) {
      const steps = Int32Array.from(program.steps.flatMap(({ op, args }) => {
        const code = this.fusedCodes.get(op);
        if (code === undefined) throw new BackendError(`native.fusedElementwise: no kernel for '${op}'`);
        return [code, args[0]!, args[1] ?? args[0]!];
      }));
      encoded = { steps, scalar: new Int32Array(inputs.length) };
      this.fusedPrograms.set(program, encoded);
    }
    const values = inputs.map((x) => this.f32(x));
    const { steps, scalar } = encoded;
    if (scalar.length !== values.length) throw new BackendError(`native.fusedElementwise: the program was encoded for ${scalar.length} inputs, got ${values.length}`);
    for (let i = 0; i < values.length; i++) scalar[i] = values[i]!.length === 1 && size !== 1 ? 1 : 0;
    const out = this.floats(size);
    this.kernels.fused(steps, values, scalar, out, this.threads);
    return this.own(out);
  }

  override reduce(op: ReduceOp, x: TensorRef, outer: number, reduceSize: number, inner: number, outDType: DType): DataId {
    const code = this.reduceCodes.get(op);
    const native = code !== undefined && x.dtype === 'float32' && outDType === (op === 'argmax' || op === 'argmin' ? 'int32' : 'float32') && reduceSize > 0;
    if (!native) return super.reduce(op, x, outer, reduceSize, inner, outDType);
    const out = outDType === 'int32' ? this.recycler.take(Int32Array, outer * inner, false) : this.floats(outer * inner);
    this.kernels.reduce(code, this.f32(x), out, outer, reduceSize, inner, this.threads);
    return this.own(out);
  }

  /** The epilogue's bias as float32, or null; undefined when the epilogue cannot run natively. */
  private bias(epilogue: OutputEpilogue | undefined): Float32Array | null | undefined {
    if (epilogue?.residual && epilogue.residual.dtype !== 'float32') return undefined;
    if (!epilogue?.bias) return null;
    return epilogue.bias.dtype === 'float32' ? this.f32(epilogue.bias) : undefined;
  }

  /**
   * The epilogue's residual add and then its ReLU, on the output of a C kernel that took only the
   * bias (the kernels have no residual input): one extra pass, the reference backend's rounding.
   */
  private addResidual(out: Float32Array, epilogue: OutputEpilogue | undefined): Float32Array {
    if (!epilogue?.residual) return out;
    const residual = this.f32(epilogue.residual);
    for (let i = 0; i < out.length; i++) {
      out[i] = out[i]! + residual[i]!;
      if (epilogue.relu && out[i]! <= 0) out[i] = 0;
    }
    return out;
  }

  override matmul(a: TensorRef, b: TensorRef, info: MatMulInfo, epilogue?: OutputEpilogue): DataId {
    const bias = this.bias(epilogue);
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || bias === undefined) return super.matmul(a, b, info, epilogue);
    const out = this.floats(info.batch * info.m * info.n);
    const desc = this.descriptors.of(0, [info.batch, info.m, info.n, info.k, info.transposeA ? 1 : 0, info.transposeB ? 1 : 0, info.aBatchStride, info.bBatchStride]);
    this.kernels.matmul(this.f32(a), this.f32(b), out, desc, bias, epilogue?.relu && !epilogue.residual ? 1 : 0, this.threads);
    return this.own(this.addResidual(out, epilogue));
  }

  override conv2d(x: TensorRef, filter: TensorRef, info: Conv2DInfo, epilogue?: OutputEpilogue): DataId {
    const bias = this.bias(epilogue);
    if (x.dtype !== 'float32' || filter.dtype !== 'float32' || bias === undefined) return super.conv2d(x, filter, info, epilogue);
    const out = this.floats(info.batch * info.outHeight * info.outWidth * info.outChannels);
    this.kernels.conv2d(this.f32(x), this.f32(filter), out, this.convDescriptor(info), bias, epilogue?.relu && !epilogue.residual ? 1 : 0, this.threads);
    return this.own(this.addResidual(out, epilogue));
  }

  override conv2dBackpropInput(dy: TensorRef, filter: TensorRef, info: Conv2DInfo): DataId {
    if (dy.dtype !== 'float32' || filter.dtype !== 'float32') return super.conv2dBackpropInput(dy, filter, info);
    const dx = this.floats(info.batch * info.inHeight * info.inWidth * info.inChannels, true);
    this.kernels.conv2dBackpropInput(this.f32(dy), this.f32(filter), dx, this.convDescriptor(info), this.threads);
    return this.own(dx);
  }

  override conv2dBackpropFilter(x: TensorRef, dy: TensorRef, info: Conv2DInfo): DataId {
    if (x.dtype !== 'float32' || dy.dtype !== 'float32') return super.conv2dBackpropFilter(x, dy, info);
    const dw = this.floats(info.filterHeight * info.filterWidth * (info.inChannels / info.groups) * info.outChannels, true);
    this.kernels.conv2dBackpropFilter(this.f32(x), this.f32(dy), dw, this.convDescriptor(info), this.threads);
    return this.own(dw);
  }

  override pool2d(kind: 'max' | 'avg', x: TensorRef, info: Pool2DInfo): DataId {
    if (x.dtype !== 'float32') return super.pool2d(kind, x, info);
    const out = this.floats(info.batch * info.outHeight * info.outWidth * info.channels);
    this.kernels.pool2d(kind === 'max' ? 1 : 0, this.f32(x), out, this.poolDescriptor(info), this.threads);
    return this.own(out);
  }

  override pool2dBackward(kind: 'max' | 'avg', dy: TensorRef, x: TensorRef, info: Pool2DInfo): DataId {
    if (x.dtype !== 'float32' || dy.dtype !== 'float32') return super.pool2dBackward(kind, dy, x, info);
    const dx = this.floats(this.f32(x).length);
    this.kernels.pool2dBackward(kind === 'max' ? 1 : 0, this.f32(dy), this.f32(x), dx, this.poolDescriptor(info), this.threads);
    return this.own(dx);
  }

  override hog(image: TensorRef, info: HogInfo): DataId {
    if (image.dtype !== 'float32') return super.hog(image, info);
    const { height, width, cellSize } = info;
    const out = this.floats(Math.floor(height / cellSize) * Math.floor(width / cellSize) * HOG_CHANNELS);
    this.kernels.hog(this.f32(image), out, this.descriptors.of(0, [height, width, cellSize]), this.threads);
    return this.own(out);
  }

  override resizeGray(image: TensorRef, info: ResizeGrayInfo): DataId {
    if (image.dtype !== 'float32') return super.resizeGray(image, info);
    const { height, width, outHeight, outWidth, method } = info;
    const x = resampleTaps(width, outWidth, method);
    const y = resampleTaps(height, outHeight, method);
    const out = this.floats(outHeight * outWidth);
    const desc = this.descriptors.of(0, [height, width, outHeight, outWidth, info.uint8 ? 1 : 0, x.maxTaps, y.maxTaps]);
    this.kernels.resizeGray(this.f32(image), out, desc, x.start, x.count, x.weight, y.start, y.count, y.weight, this.threads);
    return this.own(out);
  }

  override windowScores(map: TensorRef, weights: TensorRef, info: WindowScoresInfo): DataId {
    if (map.dtype !== 'float32' || weights.dtype !== 'float32') return super.windowScores(map, weights, info);
    const { mapHeight, mapWidth, windowHeight, windowWidth, channels } = info;
    const out = this.floats((mapHeight - windowHeight + 1) * (mapWidth - windowWidth + 1));
    this.kernels.windowScores(this.f32(map), this.f32(weights), out, this.descriptors.of(0, [mapHeight, mapWidth, windowHeight, windowWidth, channels]), this.threads);
    return this.own(out);
  }

  private convDescriptor(info: Conv2DInfo): Float64Array {
    return this.descriptors.of(0, CONV_FIELDS.map((field) => info[field]));
  }

  private poolDescriptor(info: Pool2DInfo): Float64Array {
    return this.descriptors.of(0, POOL_FIELDS.map((field) => info[field]));
  }

  private adamScalars(s: AdamStepScalars): Float64Array {
    return this.descriptors.of(0, [s.learningRate, s.beta1, s.beta2, s.epsilon, s.correction1, s.correction2]);
  }

  /** The max-pool gradient masked by the ReLU whose output x is, in one pass (a compiled graph's graph/fuse-pool-relu.ts). */
  pool2dReluBackward(dy: TensorRef, x: TensorRef, info: Pool2DInfo): DataId {
    if (x.dtype !== 'float32' || dy.dtype !== 'float32') throw new BackendError(`native.pool2dReluBackward: float32 only, got ${dy.dtype} and ${x.dtype}`);
    const dx = this.floats(this.f32(x).length);
    this.kernels.pool2dBackward(2, this.f32(dy), this.f32(x), dx, this.poolDescriptor(info), this.threads);
    return this.own(dx);
  }
}
