/**
 * The int8 inference kernels (asm/int8): a separate, single-threaded WebAssembly module with its own
 * growable memory, so it runs beside the float backend without touching its shared heap. Registered
 * as the 'wasm' backend's int8 kernels (`Int8Kernels` of the contract), apart from its float kernels.
 */
import type { Int8Kernels } from '../../backend/contract.js';
import { registerInt8Kernels } from '../../backend/registry.js';
import { BackendError } from '../../errors.js';
import type { Int8KernelExports } from './generated/int8-kernel-interface.js';
import { wasmBase64 } from './generated/int8-kernels.js';

/** Each function's parameters, by name. */
type ArgumentsOf<T> = { [K in keyof T as T[K] extends (...args: never[]) => unknown ? K : never]: T[K] extends (...args: infer P) => unknown ? P : never };

/**
 * The kernels as the contract types them. Compiles only when asm/int8's exports take exactly the
 * contract's arguments: the return rejects an added parameter, the parameter's condition a lost one
 * (which assignment alone accepts).
 */
function asContract(kernels: Int8KernelExports & (ArgumentsOf<Int8Kernels> extends ArgumentsOf<Int8KernelExports> ? unknown : never)): Int8Kernels {
  return kernels;
}

let compiled: WebAssembly.Module | undefined;

/** A fresh instance of the int8 kernels (each has its own memory). */
export function instantiateInt8Kernels(): Int8Kernels {
  if (typeof WebAssembly !== 'object') throw new BackendError('wasm int8: this engine has no WebAssembly');
  if (compiled === undefined) {
    const bytes = Uint8Array.from(atob(wasmBase64), (c) => c.charCodeAt(0));
    if (!WebAssembly.validate(bytes)) throw new BackendError('wasm int8: this engine rejects the int8 kernels (WebAssembly SIMD is required)');
    compiled = new WebAssembly.Module(bytes);
  }
  return asContract(new WebAssembly.Instance(compiled, {}).exports as unknown as Int8KernelExports);
}

registerInt8Kernels('wasm', instantiateInt8Kernels);
