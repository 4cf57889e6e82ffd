// Entry point of the Tensile WebAssembly kernels (built twice: plain SIMD and relaxed SIMD).
// Every pointer is a byte offset into the imported shared memory; the host owns allocation.
export { gemmTask, MC, KC, NC } from './gemm';
export { patchTask, conv1ChannelRows, conv1ChannelFilterGrad, depthwiseConvRows } from './conv';
export { elementwiseBlock, unaryF32, castElements } from './elementwise';
export { whereBlock } from './compare';
export { activationGrad } from './activation-grad';
export { adamStep } from './adam';
export { stridedCopy, gather, scatterAddF32, fillBytes, copyBytes } from './movement';
export { reduceF32, argReduceF32 } from './reduce';
export { pool2d, pool2dBackward } from './pool';
export { callTask } from './tasks';

/** First byte after the module's static data: the host allocator starts above it. */
export function heapBase(): usize {
  return __heap_base;
}
