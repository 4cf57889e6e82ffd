/**
 * Registers the WebAssembly SIMD backend as 'wasm', ahead of 'reference', so it becomes the default
 * wherever WebAssembly SIMD and shared memory are available (where they are not, its factory
 * throws and the registry falls back to the next backend).
 */
import { registerBackend } from '../../backend/registry.js';
import { WasmBackend } from './backend.js';
import './int8.js';

export { WasmBackend, type WasmBackendOptions } from './backend.js';

export const WASM_BACKEND_PRIORITY = 10;

registerBackend('wasm', () => new WasmBackend(), WASM_BACKEND_PRIORITY);
