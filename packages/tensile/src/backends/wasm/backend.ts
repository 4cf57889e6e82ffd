/**
 * The WebAssembly SIMD backend: tensors in one shared WebAssembly.Memory, float32 hot paths
 * (GEMM, convolution, pooling, elementwise, reductions) in AssemblyScript kernels, big kernels
 * split over worker threads. Kernels without a WASM version run the reference kernel on views of
 * this memory and copy the result in; each such fallback is counted in `memory()`.
 *
 * This class is the contract's table of contents: each kernel family lives in its own file
 * (elementwise, activations, adam, movement, reduce, gemm, conv, pool), on the shared
 * buffers, threads and scratch of runtime.ts.
 */
import type {
  ActivationOp, AdamStepScalars, Backend, BackendMemory, BinaryOp, Conv2DInfo, DataId, ElementwiseProgram, HogInfo, MatMulInfo, OutputEpilogue, Pool2DInfo, ReduceOp, ResizeGrayInfo, ResultArena, TensorRef, UnaryOp, WindowScoresInfo,
} from '../../backend/contract.js';
import type { DType, TypedArray } from '../../tensor/dtype.js';
import { itemSize } from '../../tensor/dtype.js';
import type { Shape } from '../../tensor/shape.js';
import { activationGrad } from './activations.js';
import { adamStep, adamStepInto } from './adam.js';
import { Convolutions } from './conv.js';
import { binary, cast, unary, where } from './elementwise.js';
import { FusedKernels } from './fused.js';
import { matmul } from './gemm.js';
import { checkWasmDType, type WasmArray } from './heap.js';
import type { KernelVariant } from './module.js';
import { concat, gather, scatterAdd, stridedCopy, stridedScatter } from './movement.js';
import { hog } from './hog.js';
import { resizeGray } from './resize-gray.js';
import { windowScores } from './window-scores.js';
import { pool2d, pool2dBackward } from './pool.js';
import { reduce, topk } from './reduce.js';
import { WasmRuntime, type WasmBackendOptions } from './runtime.js';

export type { WasmBackendOptions } from './runtime.js';

export class WasmBackend implements Backend {
  readonly name: string = 'wasm';
  readonly dtypes: readonly DType[] = ['float32', 'int32', 'bool'];
  readonly externalMemory = true;
  private readonly rt: WasmRuntime;
  private readonly convolutions: Convolutions;
  private readonly fused: FusedKernels;

  constructor(options: WasmBackendOptions = {}) {
    this.rt = new WasmRuntime(options);
    this.convolutions = new Convolutions(this.rt);
    this.fused = new FusedKernels(this.rt);
  }

  get variant(): KernelVariant {
    return this.rt.variant;
  }

  /** Why a requested relaxed-SIMD build is not used; empty when it is used or was not requested. */
  get relaxedSimdUnavailable(): string {
    return this.rt.relaxedSimdUnavailable;
  }

  /** Resolves when every worker thread is running (kernels work before that, on fewer threads). */
  whenReady(): Promise<void> {
    return this.rt.whenReady();
  }

  /** Threads kernels can use right now, the caller's included. */
  get threads(): number {
    return this.rt.threads;
  }

  /** Stops the worker threads; the backend keeps working on the calling thread. */
  dispose(): void {
    this.rt.dispose();
  }

  // Memory.

  upload(values: TypedArray): DataId {
    return this.rt.upload(values);
  }

  fill(size: number, value: number, dtype: DType): DataId {
    const out = this.rt.allocate(size, checkWasmDType(dtype, 'fill'));
    // Typed-array fills of shared memory are slow for bytes (~1.5 GB/s); zeros, the common case, use memory.fill.
    if (value === 0) this.rt.kernels.fillBytes(out.ptr, 0, size * itemSize(out.dtype));
    else this.rt.heap.view(out.dtype, out.ptr, size).fill(value);
    return out;
  }

  readSync(x: TensorRef): TypedArray {
    this.rt.buffer(x.id, 'readSync');
    // set() into a fresh array copies shared memory ~4× faster than slice().
    const view = this.rt.view(x);
    const copy = new (view.constructor as new (length: number) => WasmArray)(view.length);
    copy.set(view);
    return copy;
  }

  read(x: TensorRef): Promise<TypedArray> {
    return Promise.resolve(this.readSync(x));
  }

  free(id: DataId): void {
    this.convolutions.forget(id);
    this.rt.free(id);
  }

  memory(): BackendMemory {
    return {
      buffers: this.rt.liveBuffers,
      bytes: this.rt.liveBytes,
      heapBytes: this.rt.heap.capacity,
      heapGrowths: this.rt.heap.growths,
      heapAllocations: this.rt.heapAllocations,
      arenaBytes: this.rt.arenaBytes,
      threads: this.threads,
      relaxedSimd: this.variant === 'relaxedSimd' ? 1 : 0,
      keptPatchBytes: this.convolutions.keptBytes,
      fusedKernels: this.fused.generated,
      fusedKernelMs: this.fused.generateMs,
      ...this.rt.fallbackCounters(),
    };
  }

  // Elementwise.

  unary(op: UnaryOp, x: TensorRef, outDType: DType): DataId {
    return unary(this.rt, op, x, outDType);
  }

  activationGrad(op: ActivationOp, dy: TensorRef, y: TensorRef): DataId {
    return activationGrad(this.rt, op, dy, y);
  }

  adamStep(param: TensorRef, grad: TensorRef, m: TensorRef, v: TensorRef, scalars: AdamStepScalars): [DataId, DataId, DataId] {
    return adamStep(this.rt, param, grad, m, v, scalars);
  }

  resultArena(bytes: number): ResultArena {
    return this.rt.resultArena(bytes);
  }

  adamStepInPlace(param: TensorRef, grad: TensorRef, m: TensorRef, v: TensorRef, scalars: AdamStepScalars): void {
    adamStepInto(this.rt, param, grad, m, v, scalars, [this.rt.ptr(param), this.rt.ptr(m), this.rt.ptr(v)]);
  }

  binary(op: BinaryOp, a: TensorRef, b: TensorRef, outShape: Shape, outDType: DType): DataId {
    return binary(this.rt, op, a, b, outShape, outDType);
  }

  fusedElementwise(program: ElementwiseProgram, inputs: readonly TensorRef[], size: number): DataId {
    return this.fused.run(program, inputs, size);
  }

  where(condition: TensorRef, a: TensorRef, b: TensorRef, outShape: Shape): DataId {
    return where(this.rt, condition, a, b, outShape);
  }

  cast(x: TensorRef, dtype: DType): DataId {
    return cast(this.rt, x, dtype);
  }

  // Movement.

  stridedCopy(x: TensorRef, outShape: Shape, strides: readonly number[], offset: number): DataId {
    return stridedCopy(this.rt, x, outShape, strides, offset);
  }

  stridedScatter(base: TensorRef, src: TensorRef, strides: readonly number[], offset: number): DataId {
    return stridedScatter(this.rt, base, src, strides, offset);
  }

  concat(inputs: readonly TensorRef[], axis: number, outShape: Shape): DataId {
    return concat(this.rt, inputs, axis, outShape);
  }

  gather(x: TensorRef, indices: TensorRef, axis: number, outShape: Shape): DataId {
    return gather(this.rt, x, indices, axis, outShape);
  }

  scatterAdd(base: TensorRef, indices: TensorRef, src: TensorRef, axis: number): DataId {
    return scatterAdd(this.rt, base, indices, src, axis);
  }

  // Reductions.

  reduce(op: ReduceOp, x: TensorRef, outer: number, reduceSize: number, inner: number, outDType: DType): DataId {
    return reduce(this.rt, op, x, outer, reduceSize, inner, outDType);
  }

  topk(x: TensorRef, k: number, largest: boolean): { values: DataId; indices: DataId } {
    return topk(this.rt, x, k, largest);
  }

  // Linear algebra, convolution and pooling.

  matmul(a: TensorRef, b: TensorRef, info: MatMulInfo, epilogue?: OutputEpilogue): DataId {
    return matmul(this.rt, a, b, info, epilogue);
  }

  conv2d(x: TensorRef, filter: TensorRef, info: Conv2DInfo, epilogue?: OutputEpilogue): DataId {
    return this.convolutions.conv2d(x, filter, info, epilogue);
  }

  conv2dBackpropInput(dy: TensorRef, filter: TensorRef, info: Conv2DInfo): DataId {
    return this.convolutions.conv2dBackpropInput(dy, filter, info);
  }

  conv2dBackpropFilter(x: TensorRef, dy: TensorRef, info: Conv2DInfo): DataId {
    return this.convolutions.conv2dBackpropFilter(x, dy, info);
  }

  pool2d(kind: 'max' | 'avg', x: TensorRef, info: Pool2DInfo): DataId {
    return pool2d(this.rt, kind, x, info);
  }

  pool2dBackward(kind: 'max' | 'avg', dy: TensorRef, x: TensorRef, info: Pool2DInfo): DataId {
    return pool2dBackward(this.rt, kind, dy, x, info);
  }

  pool2dReluBackward(dy: TensorRef, x: TensorRef, info: Pool2DInfo): DataId {
    return pool2dBackward(this.rt, 'max', dy, x, info, true);
  }

  hog(image: TensorRef, info: HogInfo): DataId {
    return hog(this.rt, image, info);
  }

  resizeGray(image: TensorRef, info: ResizeGrayInfo): DataId {
    return resizeGray(this.rt, image, info);
  }

  windowScores(map: TensorRef, weights: TensorRef, info: WindowScoresInfo): DataId {
    return windowScores(this.rt, map, weights, info);
  }
}
