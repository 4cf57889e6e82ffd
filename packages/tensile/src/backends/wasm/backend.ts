/**
 * The WebAssembly SIMD backend: tensors in one shared WebAssembly.Memory, float32 hot paths
 * (GEMM, convolution, pooling, elementwise, reductions) in AssemblyScript kernels, big kernels
 * split over worker threads. Kernels without a WASM version run the reference kernel on views of
 * this memory and copy the result in; each such fallback is counted in `memory()`.
 */
import type {
  ActivationOp, AdamStepScalars, Backend, BackendMemory, BinaryOp, Conv2DInfo, DataId, MatMulInfo, OutputEpilogue, Pool2DInfo, ReduceOp, TensorRef, UnaryOp,
} from '../../backend/contract.js';
import { BackendError } from '../../errors.js';
import type { DType, TypedArray } from '../../tensor/dtype.js';
import { dtypeOfArray, itemSize } from '../../tensor/dtype.js';
import type { Shape } from '../../tensor/shape.js';
import { broadcastStrides, shapesEqual, sizeOf, stridesOf } from '../../tensor/shape.js';
import { ReferenceBackend } from '../reference/index.js';
import { checkWasmDType, WasmHeap, type WasmArray, type WasmDType } from './heap.js';
import { chooseVariant, instantiateKernels, kernelBinary, type KernelExports, type KernelVariant, type TaskKernel } from './module.js';
import { CONTROL_INTS, MAX_WORKERS, ThreadPool, type SpawnWorker } from './threads.js';

export interface WasmBackendOptions {
  /** Threads including the caller's; default TENSILE_THREADS, else every available core. */
  readonly threads?: number;
  /** Use the relaxed-SIMD build when the engine accepts it; default TENSILE_WASM_RELAXED=1. */
  readonly relaxedSimd?: boolean;
  /** Initial memory in bytes (it grows on demand). */
  readonly initialBytes?: number;
}

/** A buffer in the shared memory. */
class WasmBuffer {
  constructor(
    readonly ptr: number,
    readonly blockSize: number,
    readonly length: number,
    readonly dtype: WasmDType,
  ) {}
}

const BINARY_CODES: Partial<Record<BinaryOp, number>> = { add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5, mod: 6, pow: 7 };
/** int32 → int32 ops of the binaryI32 kind (the float32 codes). */
const INT_BINARY_OPS: ReadonlySet<BinaryOp> = new Set(['add', 'sub', 'mul', 'maximum', 'minimum']);
const COMPARE_CODES: Partial<Record<BinaryOp, number>> = { eq: 0, ne: 1, lt: 2, le: 3, gt: 4, ge: 5 };
const DTYPE_CODES: Record<WasmDType, number> = { float32: 0, int32: 1, bool: 2 };
const UNARY_CODES: Partial<Record<UnaryOp, number>> = {
  neg: 0, abs: 1, sqrt: 2, square: 3, relu: 4, reciprocal: 5, floor: 6, ceil: 7, exp: 8, log: 9, sigmoid: 10, tanh: 11,
  softplus: 12, expm1: 13, log1p: 14, elu: 15, softsign: 16,
};
const ACTIVATION_GRAD_CODES: Record<ActivationOp, number> = { relu: 0, sigmoid: 1, tanh: 2, softplus: 3, elu: 4, softsign: 5 };
const REDUCE_CODES: Partial<Record<ReduceOp, number>> = { sum: 0, max: 1, min: 2 };

/** Kernels the host splits across threads by their arguments, with their codes in asm/tasks.ts. */
const SPLIT_KERNEL_CODES = {
  elementwiseBlock: 0, whereBlock: 1, unaryF32: 2, castElements: 3, pool2d: 4, pool2dBackward: 5, conv1ChannelRows: 6, activationGrad: 7, conv1ChannelFilterGrad: 8, adamStep: 9, depthwiseConvRows: 10,
} as const;
/** The kinds of `elementwiseBlock` (asm/elementwise.ts). */
const ELEMENTWISE_KINDS = { binaryF32: 0, binaryI32: 1, compareF32: 2, compareI32: 3 } as const;
type ElementwiseKind = keyof typeof ELEMENTWISE_KINDS;
type SplitKernel = keyof typeof SPLIT_KERNEL_CODES;
/** Elementwise and pooling kernels split across threads above this many elements. */
const PARALLEL_MIN_ELEMENTS = 1 << 16;
const CALL_TASK_INTS = 20;

/** Sizes fixed by asm/gemm.ts: packed A is MC×KC floats, packed B KC×NC, the micro-tile MR×NR. */
const GEMM_MR = 6;
const GEMM_NR = 8;
const GEMM_PACK_A_BYTES = 120 * 256 * 4;
const GEMM_PACK_B_BYTES = 256 * 1024 * 4;
const GEMM_TILE_BYTES = GEMM_MR * GEMM_NR * 4;
const GEMM_TASK_INTS = 24;
const PATCH_TASK_INTS = 20;
/** Below this many FLOP a GEMM runs on the calling thread alone (waking a worker costs more). */
const PARALLEL_MIN_FLOPS = 1 << 19;
/** im2col/col2im rows are split across threads above this many moved floats. */
const PARALLEL_MIN_COPY = 1 << 16;

interface ThreadScratch {
  readonly gemmTask: number;
  readonly patchTask: number;
  readonly callTask: number;
  readonly packA: number;
  readonly packB: number;
  readonly tile: number;
}

/** One strided GEMM: C[batch] (ldc) = A[batch]·B[batch], element strides, byte pointers. */
interface GemmParams {
  readonly batch: number;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly a: number;
  readonly aRow: number;
  readonly aCol: number;
  readonly aBatch: number;
  readonly b: number;
  readonly bRow: number;
  readonly bCol: number;
  readonly bBatch: number;
  readonly c: number;
  readonly ldc: number;
  readonly cBatch: number;
  readonly bias?: number;
  readonly relu?: boolean;
}

function envValue(name: string): string | undefined {
  return typeof process === 'object' ? process.env?.[name] : undefined;
}

function isNode(): boolean {
  return typeof process === 'object' && typeof process.versions?.node === 'string';
}

export class WasmBackend implements Backend {
  readonly name: string = 'wasm';
  readonly dtypes: readonly DType[] = ['float32', 'int32', 'bool'];
  readonly externalMemory = true;
  readonly variant: KernelVariant;
  readonly relaxedSimdUnavailable: string;
  private readonly heap: WasmHeap;
  private readonly kernels: KernelExports;
  private readonly module: WebAssembly.Module;
  private readonly control: number;
  private readonly scratch: ThreadScratch[] = [];
  private readonly reference = new ReferenceBackend();
  private readonly fallbacks = new Map<string, number>();
  private readonly requestedThreads: number | undefined;
  private pool: ThreadPool | undefined;
  private poolStart: Promise<void> | undefined;
  private disposed = false;
  private liveBuffers = 0;
  private liveBytes = 0;
  /** The last forward conv's patch matrix, kept for the filter gradient of the same x (see withPatches). */
  private keptPatches: { readonly x: DataId; readonly key: string; readonly block: { ptr: number; size: number } } | null = null;

  constructor(options: WasmBackendOptions = {}) {
    const choice = chooseVariant(options.relaxedSimd ?? envValue('TENSILE_WASM_RELAXED') === '1');
    this.variant = choice.variant;
    this.relaxedSimdUnavailable = choice.relaxedSimdUnavailable;
    this.module = new WebAssembly.Module(kernelBinary(this.variant));
    const probe = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const heapBase = instantiateKernels(this.module, probe).heapBase();
    this.heap = new WasmHeap(options.initialBytes ?? 16 << 20, heapBase);
    this.kernels = instantiateKernels(this.module, this.heap.memory);
    this.control = this.heap.alloc(CONTROL_INTS * 4).ptr;
    this.kernels.fillBytes(this.control, 0, CONTROL_INTS * 4);
    const fromEnv = Number(envValue('TENSILE_THREADS'));
    this.requestedThreads = options.threads ?? (Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : undefined);
    if (this.requestedThreads !== undefined && (!Number.isInteger(this.requestedThreads) || this.requestedThreads < 1)) {
      throw new BackendError(`wasm: threads must be a positive integer, got ${String(this.requestedThreads)}`);
    }
    if (this.requestedThreads !== 1) this.poolStart = this.startPool();
  }

  /** Starts the workers: their modules load asynchronously; kernels use them once they are ready. */
  private async startPool(): Promise<void> {
    const spawner: { spawnWorker: SpawnWorker; availableCores(): number } = isNode()
      ? await import('./spawn.node.js')
      : await import('./spawn.web.js');
    if (!isNode() && !(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated) return;
    const threads = Math.min(this.requestedThreads ?? spawner.availableCores(), MAX_WORKERS + 1);
    if (threads <= 1 || this.disposed) return;
    this.pool = new ThreadPool({ module: this.module, memory: this.heap.memory, control: this.control }, threads - 1, spawner.spawnWorker);
    await this.pool.whenReady();
  }

  /** Resolves when every worker thread is running (kernels work before that, on fewer threads). */
  async whenReady(): Promise<void> {
    await this.poolStart;
  }

  /** Threads kernels can use right now, the caller's included. */
  get threads(): number {
    return 1 + (this.pool?.readyWorkers() ?? 0);
  }

  /** Stops the worker threads; the backend keeps working on the calling thread. */
  dispose(): void {
    this.disposed = true;
    this.pool?.terminate();
    this.pool = undefined;
  }

  // Memory.

  private buffer(id: DataId, kernel: string): WasmBuffer {
    if (!(id instanceof WasmBuffer)) throw new BackendError(`wasm.${kernel}: buffer does not belong to the wasm backend`);
    return id;
  }

  private ptr(x: TensorRef): number {
    return (x.id as WasmBuffer).ptr;
  }

  /** A buffer the core will own (and `free`). */
  private allocate(length: number, dtype: WasmDType): WasmBuffer {
    const bytes = length * itemSize(dtype);
    const block = this.heap.alloc(Math.max(bytes, 1));
    this.liveBuffers++;
    this.liveBytes += bytes;
    return new WasmBuffer(block.ptr, block.size, length, dtype);
  }

  /** Temporary bytes for one kernel call; `release` them before returning. */
  private temp(bytes: number): { ptr: number; size: number } {
    return this.heap.alloc(bytes);
  }

  private release(block: { ptr: number; size: number }): void {
    this.heap.release(block.ptr, block.size);
  }

  private viewOf(x: TensorRef): WasmArray {
    const buf = x.id as WasmBuffer;
    return this.heap.view(buf.dtype, buf.ptr, buf.length);
  }

  upload(values: TypedArray): DataId {
    const out = this.allocate(values.length, checkWasmDType(dtypeOfArray(values), 'upload'));
    this.heap.write(out.ptr, values);
    return out;
  }

  fill(size: number, value: number, dtype: DType): DataId {
    const out = this.allocate(size, checkWasmDType(dtype, 'fill'));
    // Typed-array fills of shared memory are slow for bytes (~1.5 GB/s); zeros, the common case, use memory.fill.
    if (value === 0) this.kernels.fillBytes(out.ptr, 0, size * itemSize(out.dtype));
    else this.heap.view(out.dtype, out.ptr, size).fill(value);
    return out;
  }

  readSync(x: TensorRef): TypedArray {
    this.buffer(x.id, 'readSync');
    // set() into a fresh array copies shared memory ~4× faster than slice().
    const view = this.viewOf(x);
    const copy = new (view.constructor as new (length: number) => WasmArray)(view.length);
    copy.set(view);
    return copy;
  }

  read(x: TensorRef): Promise<TypedArray> {
    return Promise.resolve(this.readSync(x));
  }

  free(id: DataId): void {
    const buf = this.buffer(id, 'free');
    if (this.keptPatches?.x === id) this.dropKeptPatches();
    this.liveBuffers--;
    this.liveBytes -= buf.length * itemSize(buf.dtype);
    this.heap.release(buf.ptr, buf.blockSize);
  }

  memory(): BackendMemory {
    const counters: Record<string, number> = {
      buffers: this.liveBuffers,
      bytes: this.liveBytes,
      heapBytes: this.heap.capacity,
      heapGrowths: this.heap.growths,
      threads: this.threads,
      relaxedSimd: this.variant === 'relaxedSimd' ? 1 : 0,
      fallbacks: 0,
      keptPatchBytes: this.keptPatches?.block.size ?? 0,
    };
    for (const [kernel, count] of this.fallbacks) {
      counters[`fallback.${kernel}`] = count;
      counters.fallbacks! += count;
    }
    return counters as BackendMemory;
  }

  private scratchSizes(): number[] {
    return [GEMM_TASK_INTS * 4, PATCH_TASK_INTS * 4, CALL_TASK_INTS * 4, GEMM_PACK_A_BYTES, GEMM_PACK_B_BYTES, GEMM_TILE_BYTES];
  }

  /**
   * Per-thread scratch for `threads` tasks. Allocating it may grow the heap, so callers take their
   * memory views after this call, never before.
   */
  private threadScratch(threads: number): readonly ThreadScratch[] {
    while (this.scratch.length < threads) {
      const [gemmTask, patchTask, callTask, packA, packB, tile] = this.scratchSizes().map((bytes) => this.heap.alloc(bytes).ptr);
      this.scratch.push({ gemmTask: gemmTask!, patchTask: patchTask!, callTask: callTask!, packA: packA!, packB: packB!, tile: tile! });
    }
    return this.scratch;
  }

  // Fallback to the reference kernels.

  /** A TensorRef the reference backend reads in place: a view of this memory. */
  private asReference(x: TensorRef): TensorRef {
    return { id: this.viewOf(x), shape: x.shape, dtype: x.dtype };
  }

  private fallback(kernel: string, run: (ref: Backend) => DataId): DataId {
    this.fallbacks.set(kernel, (this.fallbacks.get(kernel) ?? 0) + 1);
    return this.upload(this.reference.values(run(this.reference)));
  }

  // Thread dispatch.

  private threadsFor(work: number, minWork: number): number {
    return work < minWork ? 1 : this.threads;
  }

  private runTasks(kernel: TaskKernel, tasks: readonly number[]): void {
    const runHere = (task: number): void => this.kernels[kernel](task);
    if (this.pool && tasks.length > 1) this.pool.run(kernel, tasks, runHere);
    else for (const task of tasks) runHere(task);
  }

  /** Splits [0, size) into at most `parts` ranges whose bounds are multiples of `unit`. */
  private static split(size: number, parts: number, unit: number): [number, number][] {
    const units = Math.ceil(size / unit);
    const count = Math.max(1, Math.min(parts, units));
    const per = Math.ceil(units / count) * unit;
    const ranges: [number, number][] = [];
    for (let start = 0; start < size; start += per) ranges.push([start, Math.min(size, start + per)]);
    return ranges.length ? ranges : [[0, 0]];
  }

  private gemm(p: GemmParams): void {
    const threads = this.threadsFor(2 * p.batch * p.m * p.n * p.k, PARALLEL_MIN_FLOPS);
    if (threads > 1 && p.batch >= threads) {
      this.runGemm(WasmBackend.split(p.batch, threads, 1).map(([start, end]) => ({
        ...p, batch: end - start, a: p.a + start * p.aBatch * 4, b: p.b + start * p.bBatch * 4, c: p.c + start * p.cBatch * 4,
      })));
    } else if (threads > 1 && p.batch === 1 && p.k >= 8 * Math.max(p.m, p.n) && p.ldc === p.n && !p.bias && !p.relu) {
      this.gemmSplitDepth(p, threads);
    } else {
      // Split the longer side in whole micro-tiles; each thread packs its own panels.
      const splitRows = p.m >= p.n;
      this.runGemm(WasmBackend.split(splitRows ? p.m : p.n, threads, splitRows ? GEMM_MR : GEMM_NR).map(([start, end]) =>
        ({ ...p, rows: splitRows ? [start, end] : [0, p.m], cols: splitRows ? [0, p.n] : [start, end] })));
    }
  }

  /**
   * A small output over a long depth (the filter gradient of a first conv layer: 9×32 over 43,264
   * pixels): each thread takes a slice of k into its own partial product, then the partials are summed.
   */
  private gemmSplitDepth(p: GemmParams, threads: number): void {
    const ranges = WasmBackend.split(p.k, threads, 4);
    const outBytes = p.m * p.n * 4;
    const partials = ranges.slice(1).map(() => this.temp(outBytes));
    try {
      this.runGemm(ranges.map(([start, end], t) => ({
        ...p, k: end - start, a: p.a + start * p.aCol * 4, b: p.b + start * p.bRow * 4, c: t === 0 ? p.c : partials[t - 1]!.ptr,
      })));
      for (const partial of partials) {
        this.kernels.elementwiseBlock(ELEMENTWISE_KINDS.binaryF32, BINARY_CODES.add!, p.c, 0, 1, partial.ptr, 0, 1, p.c, 1, p.m * p.n);
      }
    } finally {
      for (const partial of partials) this.release(partial);
    }
  }

  /** Runs one gemmTask per part (each over its row and column ranges, the whole output by default). */
  private runGemm(parts: readonly (GemmParams & { rows?: [number, number]; cols?: [number, number] })[]): void {
    const scratch = this.threadScratch(parts.length);
    const i32 = this.heap.whole('int32') as Int32Array;
    this.runTasks('gemmTask', parts.map((p, t) => {
      const s = scratch[t]!;
      const [rowStart, rowEnd] = p.rows ?? [0, p.m];
      const [colStart, colEnd] = p.cols ?? [0, p.n];
      i32.set([
        p.batch, p.m, p.n, p.k, p.a, p.aRow, p.aCol, p.aBatch, p.b, p.bRow, p.bCol, p.bBatch, p.c, p.ldc, p.cBatch,
        rowStart, rowEnd, colStart, colEnd, s.packA, s.packB, s.tile, p.bias ?? 0, p.relu ? 1 : 0,
      ], s.gemmTask >> 2);
      return s.gemmTask;
    }));
  }

  /**
   * Between x (NHWC) and the patch matrix of one channel group, [batch·outH·outW, fh·fw·channels]:
   * 'gather' fills `patches` (im2col), 'scatterAdd' adds them back into x (col2im; x zeroed by the
   * caller), split by whole images because neighbouring pixels share input taps.
   */
  private patches(direction: 'gather' | 'scatterAdd', x: number, info: Conv2DInfo, channelStart: number, channels: number, patches: number): void {
    const pixels = info.outHeight * info.outWidth;
    const rows = info.batch * pixels;
    const threads = this.threadsFor(rows * info.filterHeight * info.filterWidth * channels, PARALLEL_MIN_COPY);
    const ranges = WasmBackend.split(rows, threads, direction === 'gather' ? 1 : pixels);
    const scratch = this.threadScratch(ranges.length);
    const i32 = this.heap.whole('int32') as Int32Array;
    const tasks = ranges.map(([start, end], t) => {
      const s = scratch[t]!;
      i32.set([
        x, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.filterHeight, info.filterWidth,
        info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, info.padTop, info.padLeft,
        channelStart, channels, patches, start, end, direction === 'gather' ? 0 : 1,
      ], s.patchTask >> 2);
      return s.patchTask;
    });
    this.runTasks('patchTask', tasks);
  }

  // Elementwise.

  unary(op: UnaryOp, x: TensorRef, outDType: DType): DataId {
    const code = UNARY_CODES[op];
    if (code === undefined || x.dtype !== 'float32' || outDType !== 'float32') {
      checkWasmDType(x.dtype, `unary(${op})`);
      return this.fallback(`unary.${op}`, (ref) => ref.unary(op, this.asReference(x), outDType));
    }
    const out = this.allocate(sizeOf(x.shape), 'float32');
    this.splitElements(out.length, 'unaryF32', (start, count) => [code, this.ptr(x) + start * 4, out.ptr + start * 4, count]);
    return out;
  }

  activationGrad(op: ActivationOp, dy: TensorRef, y: TensorRef): DataId {
    checkWasmDType(dy.dtype, `activationGrad(${op})`);
    const out = this.allocate(sizeOf(y.shape), 'float32');
    const code = ACTIVATION_GRAD_CODES[op];
    this.splitElements(out.length, 'activationGrad', (start, count) => [code, this.ptr(dy) + start * 4, this.ptr(y) + start * 4, out.ptr + start * 4, count]);
    return out;
  }

  adamStep(param: TensorRef, grad: TensorRef, m: TensorRef, v: TensorRef, scalars: AdamStepScalars): [DataId, DataId, DataId] {
    this.requireFloat32('adamStep', param, grad, m, v);
    const n = sizeOf(param.shape);
    const [pOut, mOut, vOut] = [this.allocate(n, 'float32'), this.allocate(n, 'float32'), this.allocate(n, 'float32')];
    // Task blocks hold i32: the scalars travel as float32 bit patterns.
    const { learningRate, beta1, beta2, correction1, correction2, epsilon } = scalars;
    const bits = new Int32Array(new Float32Array([learningRate, beta1, 1 - beta1, beta2, 1 - beta2, correction1, correction2, epsilon]).buffer);
    this.splitElements(n, 'adamStep', (start, count) => [
      this.ptr(param) + start * 4, this.ptr(grad) + start * 4, this.ptr(m) + start * 4, this.ptr(v) + start * 4,
      pOut.ptr + start * 4, mOut.ptr + start * 4, vOut.ptr + start * 4, count, ...bits,
    ]);
    return [pOut, mOut, vOut];
  }

  binary(op: BinaryOp, a: TensorRef, b: TensorRef, outShape: Shape, outDType: DType): DataId {
    const kind = WasmBackend.elementwiseKind(op, a.dtype, outDType);
    if (kind === undefined) {
      checkWasmDType(a.dtype, `binary(${op})`);
      return this.fallback(`binary.${op}`, (ref) => ref.binary(op, this.asReference(a), this.asReference(b), outShape, outDType));
    }
    const kindCode = ELEMENTWISE_KINDS[kind];
    const code = (kind === 'compareF32' || kind === 'compareI32' ? COMPARE_CODES[op] : BINARY_CODES[op])!;
    const out = this.allocate(sizeOf(outShape), outDType as WasmDType);
    const length = out.length;
    // The tiny-op path: same shapes (or a scalar operand), one direct call.
    if (length < PARALLEL_MIN_ELEMENTS && (a.shape === b.shape || sizeOf(a.shape) === length) && (b.shape === a.shape || sizeOf(b.shape) === length)) {
      this.kernels.elementwiseBlock(kindCode, code, this.ptr(a), 0, 1, this.ptr(b), 0, 1, out.ptr, 1, length);
      return out;
    }
    this.blocks(outShape, [a, b], out, 'elementwiseBlock', (p, outPtr, outer, inner, so, si) =>
      [kindCode, code, p[0]!, so[0]!, si[0]!, p[1]!, so[1]!, si[1]!, outPtr, outer, inner]);
    return out;
  }

  /** The elementwiseBlock kind for `op` on operands of `inDType`, if there is one. */
  private static elementwiseKind(op: BinaryOp, inDType: DType, outDType: DType): ElementwiseKind | undefined {
    if (COMPARE_CODES[op] !== undefined && outDType === 'bool') {
      return inDType === 'float32' ? 'compareF32' : inDType === 'int32' ? 'compareI32' : undefined;
    }
    if (BINARY_CODES[op] === undefined || outDType !== inDType) return undefined;
    if (inDType === 'float32') return 'binaryF32';
    return inDType === 'int32' && INT_BINARY_OPS.has(op) ? 'binaryI32' : undefined;
  }

  /**
   * Runs `kernel` once per argument list: directly when there is one, else as `callTask` blocks
   * spread over the worker threads.
   */
  private runSplit(kernel: SplitKernel, argLists: readonly number[][]): void {
    if (argLists.length === 1) {
      (this.kernels[kernel] as (...args: number[]) => void)(...argLists[0]!);
      return;
    }
    const scratch = this.threadScratch(argLists.length);
    const i32 = this.heap.whole('int32') as Int32Array;
    this.runTasks('callTask', argLists.map((args, t) => {
      const task = scratch[t]!.callTask;
      i32[task >> 2] = SPLIT_KERNEL_CODES[kernel];
      i32.set(args, (task >> 2) + 1);
      return task;
    }));
  }

  /** Splits `length` elements across threads (in runs of 16, whole vectors of bytes and floats) when large. */
  private splitElements(length: number, kernel: SplitKernel, args: (start: number, count: number) => number[]): void {
    const ranges = WasmBackend.split(length, this.threadsFor(length, PARALLEL_MIN_ELEMENTS), 16);
    this.runSplit(kernel, ranges.map(([start, end]) => args(start, end - start)));
  }

  /**
   * Walks `outShape` in [outer, inner] blocks with every operand broadcast to it and runs `kernel` on
   * each with the arguments `args` builds from: each operand's byte pointer, the block's output
   * pointer and sizes, and each operand's outer and inner element strides (inner ones 0 or 1 after
   * collapsing). Same-shape operands take one block; large blocks are split across threads, by
   * rows, or along the row when there is only one.
   */
  private blocks(
    outShape: Shape, operands: readonly TensorRef[], out: WasmBuffer, kernel: SplitKernel,
    args: (ptrs: number[], outPtr: number, outer: number, inner: number, outerStrides: number[], innerStrides: number[]) => number[],
  ): void {
    if (out.length === 0) return;
    const ptrs = operands.map((x) => this.ptr(x));
    const sizes = operands.map((x) => itemSize(x.dtype));
    const outSize = itemSize(out.dtype);
    const run = (at: number[], outPtr: number, outer: number, inner: number, so: number[], si: number[]): void => {
      const threads = this.threadsFor(outer * inner, PARALLEL_MIN_ELEMENTS);
      if (threads === 1 || (outer > 1 && outer < threads)) {
        this.runSplit(kernel, [args(at, outPtr, outer, inner, so, si)]);
      } else if (outer > 1) {
        this.runSplit(kernel, WasmBackend.split(outer, threads, 1).map(([start, end]) =>
          args(at.map((p, i) => p + start * so[i]! * sizes[i]!), outPtr + start * inner * outSize, end - start, inner, so, si)));
      } else {
        this.runSplit(kernel, WasmBackend.split(inner, threads, 16).map(([start, end]) =>
          args(at.map((p, i) => p + start * si[i]! * sizes[i]!), outPtr + start * outSize, 1, end - start, so, si)));
      }
    };
    if (operands.every((x) => shapesEqual(x.shape, outShape) || sizeOf(x.shape) === 1)) {
      const inner = operands.map((x) => (sizeOf(x.shape) === 1 && out.length > 1 ? 0 : 1));
      run(ptrs, out.ptr, 1, out.length, operands.map(() => 0), inner);
      return;
    }
    const dims = collapseBroadcast(outShape, operands.map((x) => broadcastStrides(x.shape, outShape)));
    const rank = dims.sizes.length;
    const inner = dims.sizes[rank - 1]!;
    const outer = dims.sizes[rank - 2]!;
    const innerStrides = dims.strides.map((st) => st[rank - 1]!);
    const outerStrides = dims.strides.map((st) => st[rank - 2]!);
    // Leading dimensions beyond the last two are walked here; the kernel does [outer, inner] blocks.
    const blocks = sizeOf(dims.sizes.slice(0, rank - 2));
    const index = new Array<number>(Math.max(rank - 2, 0)).fill(0);
    const offsets = operands.map(() => 0);
    for (let blk = 0; blk < blocks; blk++) {
      run(ptrs.map((p, i) => p + offsets[i]! * sizes[i]!), out.ptr + blk * outer * inner * outSize, outer, inner, outerStrides, innerStrides);
      for (let d = rank - 3; d >= 0; d--) {
        index[d]!++;
        dims.strides.forEach((st, i) => (offsets[i]! += st[d]!));
        if (index[d]! < dims.sizes[d]!) break;
        dims.strides.forEach((st, i) => (offsets[i]! -= st[d]! * dims.sizes[d]!));
        index[d] = 0;
      }
    }
  }

  where(condition: TensorRef, a: TensorRef, b: TensorRef, outShape: Shape): DataId {
    const out = this.allocate(sizeOf(outShape), checkWasmDType(a.dtype, 'where'));
    this.blocks(outShape, [condition, a, b], out, 'whereBlock', (p, outPtr, outer, inner, so, si) =>
      [itemSize(out.dtype), p[0]!, so[0]!, si[0]!, p[1]!, so[1]!, si[1]!, p[2]!, so[2]!, si[2]!, outPtr, outer, inner]);
    return out;
  }

  cast(x: TensorRef, dtype: DType): DataId {
    const out = this.allocate(sizeOf(x.shape), checkWasmDType(dtype, 'cast'));
    const from = checkWasmDType(x.dtype, 'cast');
    this.splitElements(out.length, 'castElements', (start, count) =>
      [DTYPE_CODES[from], DTYPE_CODES[out.dtype], this.ptr(x) + start * itemSize(from), out.ptr + start * itemSize(out.dtype), count]);
    return out;
  }

  // Movement.

  /** dst[Σ iₖ·dstStrides[k]] = src[Σ iₖ·srcStrides[k]] over `shape`, dimensions merged where both sides allow. */
  private copyStrided(dtype: WasmDType, src: number, dst: number, shape: Shape, srcStrides: readonly number[], dstStrides: readonly number[]): void {
    if (sizeOf(shape) === 0) return;
    const dims = collapseBroadcast(shape, [[...srcStrides], [...dstStrides]]);
    const rank = dims.sizes.length;
    const meta = this.temp(16 * rank);
    (this.heap.whole('int32') as Int32Array).set([...dims.sizes, ...dims.strides[0]!, ...dims.strides[1]!], meta.ptr >> 2);
    this.kernels.stridedCopy(itemSize(dtype), src, dst, rank, meta.ptr);
    this.release(meta);
  }

  stridedCopy(x: TensorRef, outShape: Shape, strides: readonly number[], offset: number): DataId {
    const out = this.allocate(sizeOf(outShape), checkWasmDType(x.dtype, 'stridedCopy'));
    this.copyStrided(out.dtype, this.ptr(x) + offset * itemSize(out.dtype), out.ptr, outShape, strides, stridesOf(outShape));
    return out;
  }

  /** A new buffer holding a copy of x. */
  private duplicate(x: TensorRef): WasmBuffer {
    const source = x.id as WasmBuffer;
    const out = this.allocate(source.length, source.dtype);
    this.kernels.copyBytes(out.ptr, source.ptr, source.length * itemSize(source.dtype));
    return out;
  }

  stridedScatter(base: TensorRef, src: TensorRef, strides: readonly number[], offset: number): DataId {
    checkWasmDType(base.dtype, 'stridedScatter');
    const out = this.duplicate(base);
    this.copyStrided(out.dtype, this.ptr(src), out.ptr + offset * itemSize(out.dtype), src.shape, stridesOf(src.shape), strides);
    return out;
  }

  concat(inputs: readonly TensorRef[], axis: number, outShape: Shape): DataId {
    const out = this.allocate(sizeOf(outShape), checkWasmDType(inputs[0]!.dtype, 'concat'));
    const outer = sizeOf(outShape.slice(0, axis));
    const outRow = sizeOf(outShape.slice(axis));
    let column = 0;
    for (const x of inputs) {
      const row = sizeOf(x.shape.slice(axis));
      this.copyStrided(out.dtype, this.ptr(x), out.ptr + column * itemSize(out.dtype), [outer, row], [row, 1], [outRow, 1]);
      column += row;
    }
    return out;
  }

  gather(x: TensorRef, indices: TensorRef, axis: number, outShape: Shape): DataId {
    const out = this.allocate(sizeOf(outShape), checkWasmDType(x.dtype, 'gather'));
    const outer = sizeOf(x.shape.slice(0, axis));
    const inner = sizeOf(x.shape.slice(axis + 1));
    this.kernels.gather(itemSize(out.dtype), this.ptr(x), outer, x.shape[axis]!, inner, this.ptr(indices), sizeOf(indices.shape), out.ptr);
    return out;
  }

  scatterAdd(base: TensorRef, indices: TensorRef, src: TensorRef, axis: number): DataId {
    if (base.dtype !== 'float32') {
      checkWasmDType(base.dtype, 'scatterAdd');
      return this.fallback('scatterAdd', (ref) => ref.scatterAdd(this.asReference(base), this.asReference(indices), this.asReference(src), axis));
    }
    const out = this.duplicate(base);
    const outer = sizeOf(base.shape.slice(0, axis));
    const inner = sizeOf(base.shape.slice(axis + 1));
    this.kernels.scatterAddF32(out.ptr, outer, base.shape[axis]!, inner, this.ptr(indices), sizeOf(indices.shape), this.ptr(src));
    return out;
  }

  // Reductions.

  reduce(op: ReduceOp, x: TensorRef, outer: number, reduceSize: number, inner: number, outDType: DType): DataId {
    if ((op === 'argmax' || op === 'argmin') && x.dtype === 'float32' && reduceSize > 0) {
      const out = this.allocate(outer * inner, 'int32');
      const best = this.temp(inner * 4);
      this.kernels.argReduceF32(op === 'argmax' ? 1 : 0, this.ptr(x), out.ptr, outer, reduceSize, inner, best.ptr);
      this.release(best);
      return out;
    }
    const code = REDUCE_CODES[op];
    if (code === undefined || x.dtype !== 'float32' || outDType !== 'float32' || reduceSize === 0) {
      checkWasmDType(x.dtype, `reduce(${op})`);
      return this.fallback(`reduce.${op}`, (ref) => ref.reduce(op, this.asReference(x), outer, reduceSize, inner, outDType));
    }
    const out = this.allocate(outer * inner, 'float32');
    this.kernels.reduceF32(code, this.ptr(x), out.ptr, outer, reduceSize, inner);
    return out;
  }

  topk(x: TensorRef, k: number, largest: boolean): { values: DataId; indices: DataId } {
    checkWasmDType(x.dtype, 'topk');
    let indices: DataId | undefined;
    const values = this.fallback('topk', (ref) => {
      const result = ref.topk(this.asReference(x), k, largest);
      indices = this.upload(this.reference.values(result.indices));
      return result.values;
    });
    return { values, indices: indices! };
  }

  // Linear algebra and convolution.

  matmul(a: TensorRef, b: TensorRef, info: MatMulInfo, epilogue?: OutputEpilogue): DataId {
    this.requireFloat32('matmul', a, b, ...(epilogue?.bias ? [epilogue.bias] : []));
    const { batch, m, n, k } = info;
    const out = this.allocate(batch * m * n, 'float32');
    this.gemm({
      batch, m, n, k,
      a: this.ptr(a), aRow: info.transposeA ? 1 : k, aCol: info.transposeA ? m : 1, aBatch: info.aBatchStride,
      b: this.ptr(b), bRow: info.transposeB ? 1 : n, bCol: info.transposeB ? k : 1, bBatch: info.bBatchStride,
      c: out.ptr, ldc: n, cBatch: m * n, ...this.epilogueFields(epilogue),
    });
    return out;
  }

  /** The GEMM task fields of an epilogue: the bias pointer (0 for none) and the ReLU flag. */
  private epilogueFields(epilogue: OutputEpilogue | undefined): { bias: number; relu: boolean } {
    return { bias: epilogue?.bias ? this.ptr(epilogue.bias) : 0, relu: epilogue?.relu ?? false };
  }

  private requireFloat32(kernel: string, ...xs: TensorRef[]): void {
    for (const x of xs) {
      if (x.dtype !== 'float32') {
        checkWasmDType(x.dtype, kernel);
        throw new BackendError(`wasm.${kernel}: expects float32 operands, got ${x.dtype} of shape [${x.shape.join(',')}]`);
      }
    }
  }

  private static isPointwise(info: Conv2DInfo): boolean {
    return info.filterHeight === 1 && info.filterWidth === 1 && info.strideHeight === 1 && info.strideWidth === 1
      && info.padTop === 0 && info.padLeft === 0 && info.outHeight === info.inHeight && info.outWidth === info.inWidth;
  }

  /**
   * Runs `body` once per channel group with the patch matrix of x for that group (or x itself for 1×1
   * convs). The forward pass keeps its matrix (`keep`) for the filter gradient, which reads the same
   * patches of the same x: one matrix, replaced by the next forward and dropped when x is freed.
   */
  private withPatches(x: TensorRef, info: Conv2DInfo, keep: boolean, body: (patches: number, patchRow: number, group: number) => void): void {
    const groupIn = info.inChannels / info.groups;
    const patchRow = info.filterHeight * info.filterWidth * groupIn;
    if (WasmBackend.isPointwise(info) && info.groups === 1) {
      body(this.ptr(x), info.inChannels, 0);
      return;
    }
    const key = WasmBackend.patchKey(info);
    const cached = this.keptPatches;
    if (cached && cached.x === x.id && cached.key === key) {
      body(cached.block.ptr, patchRow, 0);
      if (!keep) this.dropKeptPatches();
      return;
    }
    const cols = this.temp(info.batch * info.outHeight * info.outWidth * patchRow * 4);
    let kept = false;
    try {
      for (let g = 0; g < info.groups; g++) {
        this.patches('gather', this.ptr(x), info, g * groupIn, groupIn, cols.ptr);
        body(cols.ptr, patchRow, g);
      }
      if (keep && info.groups === 1) {
        this.dropKeptPatches();
        this.keptPatches = { x: x.id, key, block: cols };
        kept = true;
      }
    } finally {
      if (!kept) this.release(cols);
    }
  }

  /** One input channel, no dilation, output channels in fours: the direct kernels beat im2col + GEMM (depth fh·fw only). */
  private static isDirectOneChannel(info: Conv2DInfo): boolean {
    return info.inChannels === 1 && info.dilationHeight === 1 && info.dilationWidth === 1 && info.outChannels % 4 === 0;
  }

  /** Depthwise (a group per channel, one filter each), no dilation, channels in fours: a direct kernel instead of one GEMM per channel. */
  private static isDirectDepthwise(info: Conv2DInfo): boolean {
    return info.groups > 1 && info.groups === info.inChannels && info.outChannels === info.inChannels
      && info.dilationHeight === 1 && info.dilationWidth === 1 && info.inChannels % 4 === 0;
  }

  private static patchKey(info: Conv2DInfo): string {
    return [
      info.batch, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.filterHeight, info.filterWidth,
      info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, info.padTop, info.padLeft,
    ].join(',');
  }

  private dropKeptPatches(): void {
    if (this.keptPatches) this.release(this.keptPatches.block);
    this.keptPatches = null;
  }

  conv2d(x: TensorRef, filter: TensorRef, info: Conv2DInfo, epilogue?: OutputEpilogue): DataId {
    this.requireFloat32('conv2d', x, filter, ...(epilogue?.bias ? [epilogue.bias] : []));
    const pixels = info.batch * info.outHeight * info.outWidth;
    const groupOut = info.outChannels / info.groups;
    const out = this.allocate(pixels * info.outChannels, 'float32');
    const { bias, relu } = this.epilogueFields(epilogue);
    const direct = WasmBackend.isDirectOneChannel(info) ? 'conv1ChannelRows' : WasmBackend.isDirectDepthwise(info) ? 'depthwiseConvRows' : null;
    if (direct) {
      const taps = info.filterHeight * info.filterWidth;
      this.runSplit(direct, WasmBackend.split(pixels, this.threadsFor(pixels * taps * info.outChannels, PARALLEL_MIN_FLOPS), 1)
        .map(([start, end]) => [
          this.ptr(x), info.inHeight, info.inWidth, info.outHeight, info.outWidth, info.filterHeight, info.filterWidth,
          info.strideHeight, info.strideWidth, info.padTop, info.padLeft, this.ptr(filter), info.outChannels, out.ptr, start, end,
          bias, relu ? 1 : 0,
        ]));
      return out;
    }
    this.withPatches(x, info, true, (patches, patchRow, g) => {
      this.gemm({
        batch: 1, m: pixels, n: groupOut, k: patchRow,
        a: patches, aRow: patchRow, aCol: 1, aBatch: 0,
        b: this.ptr(filter) + g * groupOut * 4, bRow: info.outChannels, bCol: 1, bBatch: 0,
        c: out.ptr + g * groupOut * 4, ldc: info.outChannels, cBatch: 0,
        bias: bias && bias + g * groupOut * 4, relu,
      });
    });
    return out;
  }

  conv2dBackpropInput(dy: TensorRef, filter: TensorRef, info: Conv2DInfo): DataId {
    this.requireFloat32('conv2dBackpropInput', dy, filter);
    const pixels = info.batch * info.outHeight * info.outWidth;
    const groupIn = info.inChannels / info.groups;
    const groupOut = info.outChannels / info.groups;
    const patchRow = info.filterHeight * info.filterWidth * groupIn;
    const dx = this.allocate(info.batch * info.inHeight * info.inWidth * info.inChannels, 'float32');
    const pointwise = WasmBackend.isPointwise(info) && info.groups === 1;
    const cols = pointwise ? { ptr: dx.ptr, size: 0 } : this.temp(pixels * patchRow * 4);
    try {
      if (!pointwise) this.kernels.fillBytes(dx.ptr, 0, dx.length * 4);
      for (let g = 0; g < info.groups; g++) {
        // dPatches = dy_g · filter_gᵀ, read transposed in place from the HWIO filter.
        this.gemm({
          batch: 1, m: pixels, n: patchRow, k: groupOut,
          a: this.ptr(dy) + g * groupOut * 4, aRow: info.outChannels, aCol: 1, aBatch: 0,
          b: this.ptr(filter) + g * groupOut * 4, bRow: 1, bCol: info.outChannels, bBatch: 0,
          c: cols.ptr, ldc: patchRow, cBatch: 0,
        });
        if (!pointwise) {
          this.patches('scatterAdd', dx.ptr, info, g * groupIn, groupIn, cols.ptr);
        }
      }
    } finally {
      if (!pointwise) this.release(cols);
    }
    return dx;
  }

  conv2dBackpropFilter(x: TensorRef, dy: TensorRef, info: Conv2DInfo): DataId {
    this.requireFloat32('conv2dBackpropFilter', x, dy);
    const pixels = info.batch * info.outHeight * info.outWidth;
    const groupOut = info.outChannels / info.groups;
    const patchRow = info.filterHeight * info.filterWidth * (info.inChannels / info.groups);
    const dw = this.allocate(patchRow * info.outChannels, 'float32');
    if (WasmBackend.isDirectOneChannel(info)) {
      const blocks = info.outChannels / 4;
      this.runSplit('conv1ChannelFilterGrad', WasmBackend.split(blocks, this.threadsFor(pixels * patchRow * info.outChannels, PARALLEL_MIN_FLOPS), 1)
        .map(([start, end]) => [
          this.ptr(x), info.batch, info.inHeight, info.inWidth, info.outHeight, info.outWidth, info.filterHeight, info.filterWidth,
          info.strideHeight, info.strideWidth, info.padTop, info.padLeft, this.ptr(dy), info.outChannels, dw.ptr, 4 * start, 4 * end,
        ]));
      return dw;
    }
    this.withPatches(x, info, false, (patches, rowStride, g) => {
      // dW_g = patchesᵀ · dy_g: the patch matrix is read transposed in place.
      this.gemm({
        batch: 1, m: patchRow, n: groupOut, k: pixels,
        a: patches, aRow: 1, aCol: rowStride, aBatch: 0,
        b: this.ptr(dy) + g * groupOut * 4, bRow: info.outChannels, bCol: 1, bBatch: 0,
        c: dw.ptr + g * groupOut * 4, ldc: info.outChannels, cBatch: 0,
      });
    });
    return dw;
  }

  pool2d(kind: 'max' | 'avg', x: TensorRef, info: Pool2DInfo): DataId {
    this.requireFloat32('pool2d', x);
    const out = this.allocate(info.batch * info.outHeight * info.outWidth * info.channels, 'float32');
    this.splitImages(info, 'pool2d', (first, images, inBytes, outBytes) =>
      [kind === 'max' ? 1 : 0, this.ptr(x) + first * inBytes, out.ptr + first * outBytes, images]);
    return out;
  }

  pool2dBackward(kind: 'max' | 'avg', dy: TensorRef, x: TensorRef, info: Pool2DInfo): DataId {
    this.requireFloat32('pool2dBackward', dy, x);
    const dx = this.allocate(info.batch * info.inHeight * info.inWidth * info.channels, 'float32');
    this.splitImages(info, 'pool2dBackward', (first, images, inBytes, outBytes) =>
      [kind === 'max' ? 1 : 0, this.ptr(dy) + first * outBytes, this.ptr(x) + first * inBytes, dx.ptr + first * inBytes, images]);
    return dx;
  }

  /**
   * Runs a pooling kernel over image ranges split across threads; `head` gives the arguments before
   * the geometry (the batch of the range first among them comes last), from the range's first image,
   * its image count and the bytes of one input and one output image.
   */
  private splitImages(info: Pool2DInfo, kernel: 'pool2d' | 'pool2dBackward', head: (first: number, images: number, inBytes: number, outBytes: number) => number[]): void {
    const inBytes = info.inHeight * info.inWidth * info.channels * 4;
    const outBytes = info.outHeight * info.outWidth * info.channels * 4;
    const threads = this.threadsFor(info.batch * inBytes / 4, PARALLEL_MIN_ELEMENTS);
    this.runSplit(kernel, WasmBackend.split(info.batch, threads, 1).map(([first, end]) => [
      ...head(first, end - first, inBytes, outBytes), info.inHeight, info.inWidth, info.channels, info.outHeight, info.outWidth,
      info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padTop, info.padLeft,
    ]));
  }
}

/**
 * Merges adjacent output dimensions that every operand walks contiguously (or broadcasts along
 * together), drops size-1 dimensions and pads to rank ≥ 2, so most broadcasts become one
 * [outer, inner] kernel call.
 */
export function collapseBroadcast(shape: Shape, strides: readonly number[][]): { sizes: number[]; strides: number[][] } {
  const sizes: number[] = [];
  const out: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const last = sizes.length - 1;
    const mergeable = last >= 0 && strides.every((s, i) => out[i]![last] === s[d]! * size);
    if (mergeable) {
      sizes[last]! *= size;
      strides.forEach((s, i) => (out[i]![last] = s[d]!));
    } else {
      sizes.push(size);
      strides.forEach((s, i) => out[i]!.push(s[d]!));
    }
  }
  while (sizes.length < 2) {
    sizes.unshift(1);
    out.forEach((s) => s.unshift(0));
  }
  return { sizes, strides: out };
}
