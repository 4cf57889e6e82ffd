/**
 * Registers a second wasm backend limited to the calling thread, so every suite that runs per backend
 * also covers the single-threaded kernels (the default 'wasm' uses every core).
 */
import { backendNames, registerBackend } from '../../src/index.js';
import { WasmBackend } from '../../src/backends/wasm/index.js';

class SingleThreadWasmBackend extends WasmBackend {
  override readonly name: string = 'wasm-1t';
}

if (!backendNames().includes('wasm-1t')) registerBackend('wasm-1t', () => new SingleThreadWasmBackend({ threads: 1 }), -1);
