// Entry point of the Tensile WebAssembly kernels (built twice: plain SIMD and relaxed SIMD).
// Every pointer is a byte offset into the imported shared memory; the host owns allocation.
// The exported constants and enums are the host↔kernel interface: scripts/build-wasm.mjs reads
// their values from the compiled module and the functions' signatures from asc's bindings, and
// generates src/backends/wasm/generated/kernel-interface.ts from them.
export { gemmTask, GemmField, MR, NR, MC, KC, NC } from './gemm';
export { patchTask, PatchField, conv1ChannelRows, conv1ChannelFilterGrad, depthwiseConvRows } from './conv';
export { elementwiseBlock, unaryF32, castElements, BinaryCode, ElementwiseKind, UnaryCode, DTypeCode } from './elementwise';
export { whereBlock, CompareCode } from './compare';
export { activationGrad, ActivationGradCode } from './activation-grad';
export { adamStep } from './adam';
export { stridedCopy, gather, scatterAddF32, fillBytes, copyBytes } from './movement';
export { reduceF32, argReduceF32, ReduceCode } from './reduce';
export { pool2d, pool2dBackward } from './pool';
export { callTask, TaskKernel } from './tasks';
export { hogHistogramRows, hogFeatureRows, HOG_ROW_ARRAYS, HOG_ROW_CELLS_EXTRA } from './hog';
export { resampleRowsF32, resampleColumnsF32 } from './resample';
export { windowScoreRows } from './window-scores';

/** First byte after the module's static data: the host allocator starts above it. */
export function heapBase(): usize {
  return __heap_base;
}
