/**
 * What every WASM kernel family shares: the kernels instance, buffers in the shared heap, the worker
 * threads that run task blocks, per-thread scratch, and the fallback to the reference kernels.
 */
import type { Backend, DataId, ResultArena, TensorRef } from '../../backend/contract.js';
import { BackendError } from '../../errors.js';
import type { TypedArray } from '../../tensor/dtype.js';
import { dtypeOfArray, itemSize } from '../../tensor/dtype.js';
import { ReferenceBackend } from '../reference/index.js';
import { GemmField, KC, MC, MR, NC, NR, PatchField, TaskKernel, type KernelExports } from './generated/kernel-interface.js';
import { checkWasmDType, WasmHeap, type WasmArray, type WasmDType } from './heap.js';
import { chooseVariant, instantiateKernels, kernelBinary, type KernelVariant, type TaskKernelName } from './module.js';
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
export class WasmBuffer {
  constructor(
    readonly ptr: number,
    /** The heap block's size class; 0 for a buffer inside a result arena, which the heap does not own. */
    readonly blockSize: number,
    readonly length: number,
    readonly dtype: WasmDType,
  ) {}
}

/** A block of temporary bytes. */
export interface TempBlock {
  readonly ptr: number;
  readonly size: number;
}

/** Kernels `callTask` runs on worker threads, and the arguments each takes (typed by asc from asm/). */
export type SplitKernel = keyof typeof TaskKernel;
export type KernelArgs<K extends SplitKernel> = Parameters<KernelExports[K]>;

/** Values of a GEMM / patch task block, by field (the layouts come from asm/gemm.ts and asm/conv.ts). */
export type GemmTaskFields = Readonly<Record<keyof typeof GemmField, number | boolean>>;
export type PatchTaskFields = Readonly<Record<keyof typeof PatchField, number | boolean>>;

interface ThreadScratch {
  readonly gemmTask: number;
  readonly patchTask: number;
  readonly callTask: number;
  readonly packA: number;
  readonly packB: number;
  readonly tile: number;
}

/** Elementwise and pooling kernels split across threads above this many elements. */
export const PARALLEL_MIN_ELEMENTS = 1 << 16;

function envValue(name: string): string | undefined {
  return typeof process === 'object' ? process.env?.[name] : undefined;
}

function isNode(): boolean {
  return typeof process === 'object' && typeof process.versions?.node === 'string';
}

/** Splits [0, size) into at most `parts` ranges whose bounds are multiples of `unit`. */
export function splitRange(size: number, parts: number, unit: number): [number, number][] {
  const units = Math.ceil(size / unit);
  const count = Math.max(1, Math.min(parts, units));
  const per = Math.ceil(units / count) * unit;
  const ranges: [number, number][] = [];
  for (let start = 0; start < size; start += per) ranges.push([start, Math.min(size, start + per)]);
  return ranges.length ? ranges : [[0, 0]];
}

/** Writes a task block: each field's value (booleans as 0/1) at its index in `layout`. */
function writeFields<F extends string>(i32: Int32Array, at: number, layout: Readonly<Record<F, number>>, values: Readonly<Record<F, number | boolean>>): void {
  for (const field in layout) i32[at + layout[field]] = +values[field];
}

export class WasmRuntime {
  readonly variant: KernelVariant;
  readonly relaxedSimdUnavailable: string;
  readonly heap: WasmHeap;
  readonly kernels: KernelExports;
  private readonly module: WebAssembly.Module;
  private readonly control: number;
  /** Bytes of each thread's scratch: GEMM, patch and call task blocks, packed A and B panels, a micro-tile. */
  private readonly scratchBytes: readonly number[];
  private readonly scratch: ThreadScratch[] = [];
  private readonly reference = new ReferenceBackend();
  private readonly fallbacks = new Map<string, number>();
  private readonly requestedThreads: number | undefined;
  private pool: ThreadPool | undefined;
  private poolStart: Promise<void> | undefined;
  private disposed = false;
  /** Buffers the core owns, and their bytes. */
  liveBuffers = 0;
  liveBytes = 0;
  /** Result buffers taken from the heap so far (arena placements not counted). */
  heapAllocations = 0;
  /** Bytes held by result arenas. */
  arenaBytes = 0;
  /** Where the next result buffer goes (ResultArena.place), or null for the heap. */
  private placement: { ptr: number; bytes: number } | null = null;

  constructor(options: WasmBackendOptions) {
    const choice = chooseVariant(options.relaxedSimd ?? envValue('TENSILE_WASM_RELAXED') === '1');
    this.variant = choice.variant;
    this.relaxedSimdUnavailable = choice.relaxedSimdUnavailable;
    this.module = new WebAssembly.Module(kernelBinary(this.variant));
    const probe = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const heapBase = instantiateKernels(this.module, probe).heapBase();
    this.heap = new WasmHeap(options.initialBytes ?? 16 << 20, heapBase);
    this.kernels = instantiateKernels(this.module, this.heap.memory);
    // A call task block holds the kernel code and the longest argument list.
    const callTaskInts = 1 + Math.max(...(Object.keys(TaskKernel) as SplitKernel[]).map((name) => this.kernels[name].length));
    this.scratchBytes = [Object.keys(GemmField).length * 4, Object.keys(PatchField).length * 4, callTaskInts * 4, MC * KC * 4, KC * NC * 4, MR * NR * 4];
    this.control = this.heap.alloc(CONTROL_INTS * 4).ptr;
    this.kernels.fillBytes(this.control, 0, CONTROL_INTS * 4);
    const fromEnv = Number(envValue('TENSILE_THREADS'));
    this.requestedThreads = options.threads ?? (Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : undefined);
    if (this.requestedThreads !== undefined && (!Number.isInteger(this.requestedThreads) || this.requestedThreads < 1)) {
      throw new BackendError(`wasm: threads must be a positive integer, got ${String(this.requestedThreads)}`);
    }
    if (this.requestedThreads !== 1) this.poolStart = this.startPool();
  }

  // Threads.

  /** Starts the workers: their modules load asynchronously; kernels use them once they are ready. */
  private async startPool(): Promise<void> {
    // package.json "imports" picks Node's worker_threads or Web Workers, so bundlers never see node: modules.
    const spawner: { spawnWorker: SpawnWorker; availableCores(): number } = await import('#wasm-spawn');
    if (!isNode() && !(globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated) {
      console.info('tensile: 1 thread (this page is not cross-origin isolated; serve it with COOP/COEP headers for worker threads)');
      return;
    }
    const threads = Math.min(this.requestedThreads ?? spawner.availableCores(), MAX_WORKERS + 1);
    if (threads <= 1 || this.disposed) return;
    this.pool = new ThreadPool({ module: this.module, memory: this.heap.memory, control: this.control }, threads - 1, spawner.spawnWorker);
    await this.pool.whenReady();
    if (!isNode()) console.info(`tensile: ${this.threads} threads (Web Workers on a cross-origin-isolated page)`);
  }

  async whenReady(): Promise<void> {
    await this.poolStart;
  }

  /** Threads kernels can use right now, the caller's included. */
  get threads(): number {
    return 1 + (this.pool?.readyWorkers() ?? 0);
  }

  dispose(): void {
    this.disposed = true;
    this.pool?.terminate();
    this.pool = undefined;
  }

  threadsFor(work: number, minWork: number): number {
    return work < minWork ? 1 : this.threads;
  }

  /**
   * Per-thread scratch for `threads` tasks. Allocating it may grow the heap, so callers take their
   * memory views after this call, never before.
   */
  private threadScratch(threads: number): readonly ThreadScratch[] {
    while (this.scratch.length < threads) {
      const [gemmTask, patchTask, callTask, packA, packB, tile] = this.scratchBytes.map((bytes) => this.heap.alloc(bytes).ptr);
      this.scratch.push({ gemmTask: gemmTask!, patchTask: patchTask!, callTask: callTask!, packA: packA!, packB: packB!, tile: tile! });
    }
    return this.scratch;
  }

  private runTasks(kernel: TaskKernelName, tasks: readonly number[]): void {
    const runHere = (task: number): void => this.kernels[kernel](task);
    if (this.pool && tasks.length > 1) this.pool.run(kernel, tasks, runHere);
    else for (const task of tasks) runHere(task);
  }

  /** Runs one gemmTask per part; the packing scratch of each part's thread is filled in here. */
  runGemmTasks(parts: readonly Omit<GemmTaskFields, 'packA' | 'packB' | 'tile'>[]): void {
    const scratch = this.threadScratch(parts.length);
    const i32 = this.heap.whole('int32') as Int32Array;
    this.runTasks('gemmTask', parts.map((part, t) => {
      const { gemmTask, packA, packB, tile } = scratch[t]!;
      writeFields(i32, gemmTask >> 2, GemmField, { ...part, packA, packB, tile });
      return gemmTask;
    }));
  }

  runPatchTasks(parts: readonly PatchTaskFields[]): void {
    const scratch = this.threadScratch(parts.length);
    const i32 = this.heap.whole('int32') as Int32Array;
    this.runTasks('patchTask', parts.map((part, t) => {
      const task = scratch[t]!.patchTask;
      writeFields(i32, task >> 2, PatchField, part);
      return task;
    }));
  }

  /**
   * Runs `kernel` once per argument list: directly when there is one, else as `callTask` blocks
   * spread over the worker threads.
   */
  runSplit<K extends SplitKernel>(kernel: K, argLists: readonly KernelArgs<K>[]): void {
    if (argLists.length === 1) {
      (this.kernels[kernel] as (...args: KernelArgs<K>) => void)(...argLists[0]!);
      return;
    }
    const scratch = this.threadScratch(argLists.length);
    const i32 = this.heap.whole('int32') as Int32Array;
    this.runTasks('callTask', argLists.map((args, t) => {
      const task = scratch[t]!.callTask;
      i32[task >> 2] = TaskKernel[kernel];
      args.forEach((value, i) => (i32[(task >> 2) + 1 + i] = +value));
      return task;
    }));
  }

  /** Splits `length` elements across threads (in runs of 16, whole vectors of bytes and floats) when large. */
  splitElements<K extends SplitKernel>(length: number, kernel: K, args: (start: number, count: number) => KernelArgs<K>): void {
    const ranges = splitRange(length, this.threadsFor(length, PARALLEL_MIN_ELEMENTS), 16);
    this.runSplit(kernel, ranges.map(([start, end]) => args(start, end - start)));
  }

  // Buffers.

  buffer(id: DataId, kernel: string): WasmBuffer {
    if (!(id instanceof WasmBuffer)) throw new BackendError(`wasm.${kernel}: buffer does not belong to the wasm backend`);
    return id;
  }

  ptr(x: TensorRef): number {
    return (x.id as WasmBuffer).ptr;
  }

  /** A buffer the core will own (and `free`): at the pending arena placement if it fits there, else from the heap. */
  allocate(length: number, dtype: WasmDType): WasmBuffer {
    const bytes = length * itemSize(dtype);
    const placed = this.placement;
    let buffer: WasmBuffer;
    if (placed !== null && bytes <= placed.bytes) {
      this.placement = null;
      buffer = new WasmBuffer(placed.ptr, 0, length, dtype);
    } else {
      const block = this.heap.alloc(Math.max(bytes, 1));
      this.heapAllocations++;
      buffer = new WasmBuffer(block.ptr, block.size, length, dtype);
    }
    this.liveBuffers++;
    this.liveBytes += bytes;
    return buffer;
  }

  /** A block of the heap whose parts the next results can be placed at (graph memory plans). */
  resultArena(bytes: number): ResultArena {
    let block: TempBlock | null = this.heap.alloc(Math.max(bytes, 1));
    this.arenaBytes += block.size;
    return {
      place: (offset, size) => {
        if (block === null || offset < 0 || offset + size > block.size) throw new BackendError(`wasm: arena placement [${offset}, ${offset + size}) outside the arena of ${bytes} bytes`);
        this.placement = { ptr: block.ptr + offset, bytes: size };
      },
      unplace: () => {
        this.placement = null;
      },
      dispose: () => {
        if (block === null) return;
        this.arenaBytes -= block.size;
        this.heap.release(block.ptr, block.size);
        block = null;
      },
    };
  }

  upload(values: TypedArray): WasmBuffer {
    const out = this.allocate(values.length, checkWasmDType(dtypeOfArray(values), 'upload'));
    this.heap.write(out.ptr, values);
    return out;
  }

  free(id: DataId): void {
    const buf = this.buffer(id, 'free');
    this.liveBuffers--;
    this.liveBytes -= buf.length * itemSize(buf.dtype);
    if (buf.blockSize !== 0) this.heap.release(buf.ptr, buf.blockSize);
  }

  /** A new buffer holding a copy of x. */
  duplicate(x: TensorRef): WasmBuffer {
    const source = x.id as WasmBuffer;
    const out = this.allocate(source.length, source.dtype);
    this.kernels.copyBytes(out.ptr, source.ptr, source.length * itemSize(source.dtype));
    return out;
  }

  /** Temporary bytes for one kernel call; `release` them before returning. */
  temp(bytes: number): TempBlock {
    return this.heap.alloc(bytes);
  }

  release(block: TempBlock): void {
    this.heap.release(block.ptr, block.size);
  }

  view(x: TensorRef): WasmArray {
    const buf = x.id as WasmBuffer;
    return this.heap.view(buf.dtype, buf.ptr, buf.length);
  }

  requireFloat32(kernel: string, ...xs: TensorRef[]): void {
    for (const x of xs) {
      if (x.dtype !== 'float32') {
        checkWasmDType(x.dtype, kernel);
        throw new BackendError(`wasm.${kernel}: expects float32 operands, got ${x.dtype} of shape [${x.shape.join(',')}]`);
      }
    }
  }

  // Fallback to the reference kernels.

  /** A TensorRef the reference backend reads in place: a view of this memory. */
  asReference(x: TensorRef): TensorRef {
    return { id: this.view(x), shape: x.shape, dtype: x.dtype };
  }

  /** Runs a reference kernel on views of this memory and copies its result in; counted per kernel. */
  fallback(kernel: string, run: (ref: Backend) => DataId): WasmBuffer {
    this.fallbacks.set(kernel, (this.fallbacks.get(kernel) ?? 0) + 1);
    return this.fromReference(run(this.reference));
  }

  /** A buffer holding the values of a reference-backend buffer. */
  fromReference(id: DataId): WasmBuffer {
    return this.upload(this.reference.values(id));
  }

  /** Fallback counts: the total and one counter per kernel. */
  fallbackCounters(): Record<string, number> {
    const counters: Record<string, number> = { fallbacks: 0 };
    for (const [kernel, count] of this.fallbacks) {
      counters[`fallback.${kernel}`] = count;
      counters.fallbacks! += count;
    }
    return counters;
  }
}
