/**
 * The WebAssembly SIMD backend: tensors in one shared WebAssembly.Memory, float32 hot paths
 * (GEMM, convolution, pooling, elementwise, reductions) in AssemblyScript kernels, big kernels
 * split over worker threads. Kernels without a WASM version run the reference kernel on views of
 * this memory and copy the result in; each such fallback is counted in `memory()`.
 */
import type {
  Backend, BackendMemory, BinaryOp, Conv2DInfo, DataId, MatMulInfo, Pool2DInfo, ReduceOp, TensorRef, UnaryOp,
} from '../../backend/contract.js';
import { BackendError } from '../../errors.js';
import type { DType, TypedArray } from '../../tensor/dtype.js';
import { dtypeOfArray, itemSize } from '../../tensor/dtype.js';
import type { Shape } from '../../tensor/shape.js';
import { broadcastStrides, sizeOf } from '../../tensor/shape.js';
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

const BINARY_CODES: Partial<Record<BinaryOp, number>> = { add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5 };
const UNARY_CODES: Partial<Record<UnaryOp, number>> = {
  neg: 0, abs: 1, sqrt: 2, square: 3, relu: 4, reciprocal: 5, floor: 6, ceil: 7, exp: 8, log: 9, sigmoid: 10, tanh: 11,
};
const REDUCE_CODES: Partial<Record<ReduceOp, number>> = { sum: 0, max: 1, min: 2 };

/** Sizes fixed by asm/gemm.ts: packed A is MC×KC floats, packed B KC×NC. */
const GEMM_PACK_A_BYTES = 128 * 256 * 4;
const GEMM_PACK_B_BYTES = 256 * 1024 * 4;
const GEMM_TILE_BYTES = 4 * 8 * 4;
const GEMM_TASK_INTS = 24;
const IM2COL_TASK_INTS = 19;
/** Below this many FLOP a GEMM runs on the calling thread alone (waking a worker costs more). */
const PARALLEL_MIN_FLOPS = 1 << 19;
/** im2col rows are split across threads above this many copied floats. */
const PARALLEL_MIN_COPY = 1 << 16;

interface ThreadScratch {
  readonly gemmTask: number;
  readonly im2colTask: number;
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
    this.heap.zero(this.control, CONTROL_INTS * 4);
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
    this.heap.view(out.dtype, out.ptr, size).fill(value);
    return out;
  }

  readSync(x: TensorRef): TypedArray {
    this.buffer(x.id, 'readSync');
    return this.viewOf(x).slice();
  }

  read(x: TensorRef): Promise<TypedArray> {
    return Promise.resolve(this.readSync(x));
  }

  free(id: DataId): void {
    const buf = this.buffer(id, 'free');
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
    };
    for (const [kernel, count] of this.fallbacks) {
      counters[`fallback.${kernel}`] = count;
      counters.fallbacks! += count;
    }
    return counters as BackendMemory;
  }

  private scratchSizes(): number[] {
    return [GEMM_TASK_INTS * 4, IM2COL_TASK_INTS * 4, GEMM_PACK_A_BYTES, GEMM_PACK_B_BYTES, GEMM_TILE_BYTES];
  }

  private threadScratch(thread: number): ThreadScratch {
    while (this.scratch.length <= thread) {
      const [gemmTask, im2colTask, packA, packB, tile] = this.scratchSizes().map((bytes) => this.heap.alloc(bytes).ptr);
      this.scratch.push({ gemmTask: gemmTask!, im2colTask: im2colTask!, packA: packA!, packB: packB!, tile: tile! });
    }
    return this.scratch[thread]!;
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
    // Split the longer side: rows in 4s or columns in 8s (the micro-tile), each thread packs its own panels.
    const splitRows = p.m >= p.n;
    const ranges = WasmBackend.split(splitRows ? p.m : p.n, threads, splitRows ? 4 : 8);
    const i32 = this.heap.whole('int32') as Int32Array;
    const tasks = ranges.map(([start, end], t) => {
      const s = this.threadScratch(t);
      const task = s.gemmTask >> 2;
      i32.set([
        p.batch, p.m, p.n, p.k, p.a, p.aRow, p.aCol, p.aBatch, p.b, p.bRow, p.bCol, p.bBatch, p.c, p.ldc, p.cBatch,
        splitRows ? start : 0, splitRows ? end : p.m, splitRows ? 0 : start, splitRows ? p.n : end,
        s.packA, s.packB, s.tile, p.bias ?? 0, p.relu ? 1 : 0,
      ], task);
      return s.gemmTask;
    });
    this.runTasks('gemmTask', tasks);
  }

  /** The patch matrix of one channel group, [batch·outH·outW, fh·fw·channels], into `dst`. */
  private im2col(x: number, info: Conv2DInfo, channelStart: number, channels: number, dst: number): void {
    const rows = info.batch * info.outHeight * info.outWidth;
    const threads = this.threadsFor(rows * info.filterHeight * info.filterWidth * channels, PARALLEL_MIN_COPY);
    const i32 = this.heap.whole('int32') as Int32Array;
    const tasks = WasmBackend.split(rows, threads, 1).map(([start, end], t) => {
      const s = this.threadScratch(t);
      i32.set([
        x, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.filterHeight, info.filterWidth,
        info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, info.padTop, info.padLeft,
        channelStart, channels, dst, start, end,
      ], s.im2colTask >> 2);
      return s.im2colTask;
    });
    this.runTasks('im2colTask', tasks);
  }

  // Elementwise.

  unary(op: UnaryOp, x: TensorRef, outDType: DType): DataId {
    const code = UNARY_CODES[op];
    if (code === undefined || x.dtype !== 'float32' || outDType !== 'float32') {
      checkWasmDType(x.dtype, `unary(${op})`);
      return this.fallback(`unary.${op}`, (ref) => ref.unary(op, this.asReference(x), outDType));
    }
    const size = sizeOf(x.shape);
    const out = this.allocate(size, 'float32');
    this.kernels.unaryF32(code, this.ptr(x), out.ptr, size);
    return out;
  }

  binary(op: BinaryOp, a: TensorRef, b: TensorRef, outShape: Shape, outDType: DType): DataId {
    const code = BINARY_CODES[op];
    if (code === undefined || a.dtype !== 'float32' || b.dtype !== 'float32' || outDType !== 'float32') {
      checkWasmDType(a.dtype, `binary(${op})`);
      return this.fallback(`binary.${op}`, (ref) => ref.binary(op, this.asReference(a), this.asReference(b), outShape, outDType));
    }
    const out = this.allocate(sizeOf(outShape), 'float32');
    if (out.length === 0) return out;
    const dims = collapseBroadcast(outShape, [broadcastStrides(a.shape, outShape), broadcastStrides(b.shape, outShape)]);
    const rank = dims.sizes.length;
    const inner = dims.sizes[rank - 1]!;
    const outer = dims.sizes[rank - 2]!;
    const [sa, sb] = dims.strides as [number[], number[]];
    const aPtr = this.ptr(a);
    const bPtr = this.ptr(b);
    // Leading dimensions beyond the last two are walked here; the kernel does [outer, inner] blocks.
    const blocks = sizeOf(dims.sizes.slice(0, rank - 2));
    const index = new Array<number>(Math.max(rank - 2, 0)).fill(0);
    for (let blk = 0, aOff = 0, bOff = 0; blk < blocks; blk++) {
      this.kernels.binaryF32(code, aPtr + aOff * 4, sa[rank - 2]!, sa[rank - 1]!, bPtr + bOff * 4, sb[rank - 2]!, sb[rank - 1]!,
        out.ptr + blk * outer * inner * 4, outer, inner);
      for (let d = rank - 3; d >= 0; d--) {
        index[d]!++;
        aOff += sa[d]!;
        bOff += sb[d]!;
        if (index[d]! < dims.sizes[d]!) break;
        aOff -= sa[d]! * dims.sizes[d]!;
        bOff -= sb[d]! * dims.sizes[d]!;
        index[d] = 0;
      }
    }
    return out;
  }

  where(condition: TensorRef, a: TensorRef, b: TensorRef, outShape: Shape): DataId {
    checkWasmDType(a.dtype, 'where');
    return this.fallback('where', (ref) => ref.where(this.asReference(condition), this.asReference(a), this.asReference(b), outShape));
  }

  cast(x: TensorRef, dtype: DType): DataId {
    checkWasmDType(dtype, 'cast');
    return this.fallback('cast', (ref) => ref.cast(this.asReference(x), dtype));
  }

  // Movement.

  stridedCopy(x: TensorRef, outShape: Shape, strides: readonly number[], offset: number): DataId {
    checkWasmDType(x.dtype, 'stridedCopy');
    return this.fallback('stridedCopy', (ref) => ref.stridedCopy(this.asReference(x), outShape, strides, offset));
  }

  stridedScatter(base: TensorRef, src: TensorRef, strides: readonly number[], offset: number): DataId {
    checkWasmDType(base.dtype, 'stridedScatter');
    return this.fallback('stridedScatter', (ref) => ref.stridedScatter(this.asReference(base), this.asReference(src), strides, offset));
  }

  concat(inputs: readonly TensorRef[], axis: number, outShape: Shape): DataId {
    checkWasmDType(inputs[0]!.dtype, 'concat');
    return this.fallback('concat', (ref) => ref.concat(inputs.map((t) => this.asReference(t)), axis, outShape));
  }

  gather(x: TensorRef, indices: TensorRef, axis: number, outShape: Shape): DataId {
    checkWasmDType(x.dtype, 'gather');
    return this.fallback('gather', (ref) => ref.gather(this.asReference(x), this.asReference(indices), axis, outShape));
  }

  scatterAdd(base: TensorRef, indices: TensorRef, src: TensorRef, axis: number): DataId {
    checkWasmDType(base.dtype, 'scatterAdd');
    return this.fallback('scatterAdd', (ref) => ref.scatterAdd(this.asReference(base), this.asReference(indices), this.asReference(src), axis));
  }

  // Reductions.

  reduce(op: ReduceOp, x: TensorRef, outer: number, reduceSize: number, inner: number, outDType: DType): DataId {
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

  matmul(a: TensorRef, b: TensorRef, info: MatMulInfo): DataId {
    this.requireFloat32('matmul', a, b);
    return this.product(a, b, null, false, info);
  }

  /**
   * Fused dense layer: a·b (+ bias per output column) (then ReLU), in one pass over the output.
   * Same operands and info as `matmul`; `bias` is float32 of length n.
   */
  matmulBiasAct(a: TensorRef, b: TensorRef, bias: TensorRef | null, activation: 'linear' | 'relu', info: MatMulInfo): DataId {
    this.requireFloat32('matmulBiasAct', a, b, ...(bias ? [bias] : []));
    return this.product(a, b, bias, activation === 'relu', info);
  }

  private product(a: TensorRef, b: TensorRef, bias: TensorRef | null, relu: boolean, info: MatMulInfo): DataId {
    const { batch, m, n, k } = info;
    const out = this.allocate(batch * m * n, 'float32');
    this.gemm({
      batch, m, n, k,
      a: this.ptr(a), aRow: info.transposeA ? 1 : k, aCol: info.transposeA ? m : 1, aBatch: info.aBatchStride,
      b: this.ptr(b), bRow: info.transposeB ? 1 : n, bCol: info.transposeB ? k : 1, bBatch: info.bBatchStride,
      c: out.ptr, ldc: n, cBatch: m * n, bias: bias ? this.ptr(bias) : 0, relu,
    });
    return out;
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

  /** Runs `body` once per channel group with the patch matrix of x for that group (or x itself for 1×1 convs). */
  private withPatches(x: TensorRef, info: Conv2DInfo, body: (patches: number, patchRow: number, group: number) => void): void {
    const groupIn = info.inChannels / info.groups;
    const patchRow = info.filterHeight * info.filterWidth * groupIn;
    if (WasmBackend.isPointwise(info) && info.groups === 1) {
      body(this.ptr(x), info.inChannels, 0);
      return;
    }
    const cols = this.temp(info.batch * info.outHeight * info.outWidth * patchRow * 4);
    try {
      for (let g = 0; g < info.groups; g++) {
        this.im2col(this.ptr(x), info, g * groupIn, groupIn, cols.ptr);
        body(cols.ptr, patchRow, g);
      }
    } finally {
      this.release(cols);
    }
  }

  conv2d(x: TensorRef, filter: TensorRef, info: Conv2DInfo): DataId {
    this.requireFloat32('conv2d', x, filter);
    const pixels = info.batch * info.outHeight * info.outWidth;
    const groupOut = info.outChannels / info.groups;
    const out = this.allocate(pixels * info.outChannels, 'float32');
    this.withPatches(x, info, (patches, patchRow, g) => {
      this.gemm({
        batch: 1, m: pixels, n: groupOut, k: patchRow,
        a: patches, aRow: patchRow, aCol: 1, aBatch: 0,
        b: this.ptr(filter) + g * groupOut * 4, bRow: info.outChannels, bCol: 1, bBatch: 0,
        c: out.ptr + g * groupOut * 4, ldc: info.outChannels, cBatch: 0,
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
      if (!pointwise) this.heap.zero(dx.ptr, dx.length * 4);
      for (let g = 0; g < info.groups; g++) {
        // dPatches = dy_g · filter_gᵀ, read transposed in place from the HWIO filter.
        this.gemm({
          batch: 1, m: pixels, n: patchRow, k: groupOut,
          a: this.ptr(dy) + g * groupOut * 4, aRow: info.outChannels, aCol: 1, aBatch: 0,
          b: this.ptr(filter) + g * groupOut * 4, bRow: 1, bCol: info.outChannels, bBatch: 0,
          c: cols.ptr, ldc: patchRow, cBatch: 0,
        });
        if (!pointwise) {
          this.kernels.col2im(cols.ptr, info.inHeight, info.inWidth, info.inChannels, info.batch, info.outHeight, info.outWidth,
            info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth,
            info.padTop, info.padLeft, g * groupIn, groupIn, dx.ptr);
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
    this.withPatches(x, info, (patches, rowStride, g) => {
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
    this.kernels.pool2d(kind === 'max' ? 1 : 0, this.ptr(x), out.ptr, info.batch, info.inHeight, info.inWidth, info.channels,
      info.outHeight, info.outWidth, info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padTop, info.padLeft);
    return out;
  }

  pool2dBackward(kind: 'max' | 'avg', dy: TensorRef, x: TensorRef, info: Pool2DInfo): DataId {
    this.requireFloat32('pool2dBackward', dy, x);
    const dx = this.allocate(info.batch * info.inHeight * info.inWidth * info.channels, 'float32');
    this.heap.zero(dx.ptr, dx.length * 4);
    this.kernels.pool2dBackward(kind === 'max' ? 1 : 0, this.ptr(dy), this.ptr(x), dx.ptr, info.batch, info.inHeight, info.inWidth,
      info.channels, info.outHeight, info.outWidth, info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth,
      info.padTop, info.padLeft);
    return dx;
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
