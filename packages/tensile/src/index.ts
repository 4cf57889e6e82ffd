/**
 * Tensile: tensors, autograd, layers and training in TypeScript. This entry point is browser-safe;
 * Node-only features (files, datasets on disk, the CLI) live in `tensile/node`.
 */
import './backends/reference/index.js';
import './backends/wasm/index.js';
import './autograd/tensor-backward.js';

export * from './ops/index.js';
export { Tensor } from './tensor/tensor.js';
export type { DType, TypedArray } from './tensor/dtype.js';
export type { Shape } from './tensor/shape.js';
export type { NestedArray } from './tensor/nested.js';
export { Generator, manualSeed } from './tensor/random.js';
export { backward, gradients } from './autograd/backward.js';
export type { BackwardOptions } from './autograd/backward.js';
export { grad, valueAndGrad } from './autograd/functional.js';
export { enableGrad, isGradEnabled, noGrad } from './autograd/graph.js';
export { backendNames, getBackend, ready, registerBackend, setBackend } from './backend/registry.js';
/** The executable specification, exported so that other backends (e.g. @tensile/backend-native) can extend it and fall back to its kernels. */
export { ReferenceBackend } from './backends/reference/index.js';
/** The taps of backend/resample.ts, for a backend's resizeGray kernel to give the reference's pixels. */
export { resampleTaps, type ResampleTaps } from './backend/resample.js';
export { yieldToEventLoop } from './backend/yield.js';
export type * from './backend/contract.js';
export { memory, scope } from './tensor/lifetime.js';
export type { MemoryInfo } from './tensor/storage.js';
export * from './errors.js';
export * from './data/index.js';
export * from './nn/index.js';
export * from './optim/index.js';
export * from './graph/index.js';
export * from './train/index.js';
export * from './saving/index.js';
export * from './quantize/index.js';
export * from './vision/index.js';
