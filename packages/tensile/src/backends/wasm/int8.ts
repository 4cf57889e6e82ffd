/**
 * The int8 inference kernels (asm/int8): a separate, single-threaded WebAssembly module with its own
 * growable memory, so it runs beside the float backend without touching its shared heap. Pointers
 * are byte offsets into `memory`; the caller lays out its buffers from `heapBase()` up.
 */
import { BackendError } from '../../errors.js';
import { wasmBase64 } from './generated/int8-kernels.js';

export interface Int8KernelExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  /**
   * Int8 NHWC image → int16 rows (x − zeroPoint) of kernelH×kernelW×channels patches, zero-padded
   * to `depth` (a multiple of 8): (x, height, width, channels, zeroPoint, kernelH, kernelW, padTop,
   * padLeft, outHeight, outWidth, depth, cols).
   */
  im2colS8(...args: number[]): void;
  /**
   * A [m, depth] × W [n, depth]ᵀ (int16) → requantised int8 (or f32 when floatOutput ≠ 0):
   * (a, m, depth, w, n, scale, offset, floor, floatOutput, out).
   */
  gemmS16(...args: number[]): void;
  /** (x, height, width, channels, pool, out): pool×pool max pooling, stride pool. */
  maxPoolS8(...args: number[]): void;
  /** (x, pixels, channels, out): each channel's rounded mean over all pixels. */
  globalAveragePoolS8(...args: number[]): void;
}

let compiled: WebAssembly.Module | undefined;

/** A fresh instance of the int8 kernels (each has its own memory). */
export function instantiateInt8Kernels(): Int8KernelExports {
  if (typeof WebAssembly !== 'object') throw new BackendError('wasm int8: this engine has no WebAssembly');
  if (compiled === undefined) {
    const bytes = Uint8Array.from(atob(wasmBase64), (c) => c.charCodeAt(0));
    if (!WebAssembly.validate(bytes)) throw new BackendError('wasm int8: this engine rejects the int8 kernels (WebAssembly SIMD is required)');
    compiled = new WebAssembly.Module(bytes);
  }
  return new WebAssembly.Instance(compiled, {}).exports as unknown as Int8KernelExports;
}
