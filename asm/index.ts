// Entry point of the Tensile WebAssembly kernels (built twice: plain SIMD and relaxed SIMD).
// Every pointer is a byte offset into the imported shared memory; the host owns allocation.
export { gemmTask, MC, KC, NC } from './gemm';
export { im2colTask, col2im, addInto } from './conv';
export { binaryF32, unaryF32 } from './elementwise';
export { reduceF32 } from './reduce';
export { pool2d, pool2dBackward } from './pool';

/** First byte after the module's static data: the host allocator starts above it. */
export function heapBase(): usize {
  return __heap_base;
}
