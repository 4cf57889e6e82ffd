/**
 * The shared WebAssembly memory every WASM tensor lives in, with a size-class allocator.
 *
 * Blocks are 64-byte aligned (one cache line, whole SIMD vectors). Freed blocks go to a free list
 * per size class and are reused before the bump pointer moves, so a steady training loop stops
 * growing the memory after its first step. The memory is shared so worker threads can run
 * kernels on the same buffers; growing a shared memory never detaches old views, but typed-array
 * views only cover the length at their creation, so they are rebuilt after every growth.
 */
import { BackendError, DTypeError } from '../../errors.js';
import type { DType, TypedArray } from '../../tensor/dtype.js';

const PAGE_BYTES = 65536;
const ALIGN = 64;
/** 2 GiB: pointers stay below 2^31, so they pass through signed i32 parameters unchanged. */
export const MAX_PAGES = 32768;

/** Rounds a request up to its size class: multiples of 64 B, then four classes per power of two. */
export function sizeClass(bytes: number): number {
  if (bytes <= 1024) return Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
  const quarter = 2 ** (Math.floor(Math.log2(bytes)) - 2);
  return Math.ceil(bytes / quarter) * quarter;
}

export type WasmDType = 'float32' | 'int32' | 'bool';
export type WasmArray = Float32Array | Int32Array | Uint8Array;

export function checkWasmDType(dtype: DType, kernel: string): WasmDType {
  if (dtype === 'float64') throw new DTypeError(`wasm.${kernel}: float64 is only supported by the reference backend`);
  return dtype;
}

export class WasmHeap {
  readonly memory: WebAssembly.Memory;
  private f32: Float32Array;
  private i32: Int32Array;
  private u8: Uint8Array;
  /** Where blocks start (the module's static data lies below). */
  private readonly base: number;
  private top: number;
  private readonly freeLists = new Map<number, number[]>();
  /** Live blocks and the bytes their size classes hold. */
  liveBlocks = 0;
  liveBytes = 0;
  growths = 0;

  constructor(initialBytes: number, heapBase: number) {
    const initialPages = Math.max(1, Math.ceil(initialBytes / PAGE_BYTES));
    this.memory = new WebAssembly.Memory({ initial: initialPages, maximum: MAX_PAGES, shared: true });
    this.base = Math.ceil(heapBase / ALIGN) * ALIGN;
    this.top = this.base;
    this.f32 = new Float32Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
    this.u8 = new Uint8Array(this.memory.buffer);
  }

  /** Bytes of the memory (the high-water mark of all allocations, rounded to pages). */
  get capacity(): number {
    return this.u8.byteLength;
  }

  /** A block of at least `bytes` bytes; its size class is what `release` must be given. */
  alloc(bytes: number): { ptr: number; size: number } {
    const size = sizeClass(bytes);
    let ptr = this.freeLists.get(size)?.pop();
    if (ptr === undefined) {
      ptr = this.top;
      // Grow before moving the bump pointer: a failed growth leaves the allocator as it was.
      if (ptr + size > this.u8.byteLength) this.grow(ptr + size, bytes);
      this.top = ptr + size;
    }
    this.liveBlocks++;
    this.liveBytes += size;
    return { ptr, size };
  }

  release(ptr: number, size: number): void {
    this.liveBlocks--;
    this.liveBytes -= size;
    let list = this.freeLists.get(size);
    if (!list) this.freeLists.set(size, (list = []));
    list.push(ptr);
  }

  /** Grows the memory to hold `needBytes`, for a new block of `blockBytes`. */
  private grow(needBytes: number, blockBytes: number): void {
    const have = this.u8.byteLength / PAGE_BYTES;
    const need = Math.ceil(needBytes / PAGE_BYTES);
    // Grow by at least half again, so a growing workload reallocates views O(log n) times.
    const target = Math.min(MAX_PAGES, Math.max(need, Math.ceil(have * 1.5)));
    if (need > MAX_PAGES) {
      throw new BackendError(
        `wasm: out of memory: a block of ${blockBytes} bytes does not fit in the ${MAX_PAGES * PAGE_BYTES}-byte WASM memory, ` +
          `where ${this.liveBlocks} blocks in use hold ${this.liveBytes} bytes and ${this.top - this.base - this.liveBytes} bytes wait in free lists of other sizes. ` +
          'Tensors dropped without dispose() are freed after a garbage collection, between turns of the event loop: ' +
          'dispose tensors, or run a long synchronous loop inside scope().',
      );
    }
    this.memory.grow(target - have);
    this.growths++;
    this.f32 = new Float32Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
    this.u8 = new Uint8Array(this.memory.buffer);
  }

  /** A view of `length` elements at byte offset `ptr`, valid until the next allocation. */
  view(dtype: WasmDType, ptr: number, length: number): WasmArray {
    switch (dtype) {
      case 'float32':
        return this.f32.subarray(ptr >>> 2, (ptr >>> 2) + length);
      case 'int32':
        return this.i32.subarray(ptr >>> 2, (ptr >>> 2) + length);
      case 'bool':
        return this.u8.subarray(ptr, ptr + length);
    }
  }

  /** The whole memory as elements of `dtype` (index = byte offset / element size). */
  whole(dtype: WasmDType): WasmArray {
    return dtype === 'float32' ? this.f32 : dtype === 'int32' ? this.i32 : this.u8;
  }

  write(ptr: number, values: TypedArray): void {
    this.u8.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), ptr);
  }
}
