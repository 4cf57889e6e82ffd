/**
 * Loads the compiled kernels: picks the plain-SIMD or relaxed-SIMD build and instantiates it on a
 * shared memory. Relaxed SIMD (fused multiply-add, ~20% faster GEMM, results may differ in the
 * last bits between machines) is opt-in: pass `relaxedSimd: true` or set TENSILE_WASM_RELAXED=1,
 * and on Node 20 also start node with --experimental-wasm-relaxed-simd. Tensile never sets engine
 * flags itself; if relaxed SIMD is requested but the engine rejects it, the plain build is used
 * and `relaxedSimdUnavailable` says why.
 */
import { BackendError } from '../../errors.js';
import { relaxedSimdBase64, simdBase64 } from './generated/kernels.js';

/** The kernels' exports. Pointers are byte offsets into the shared memory. */
export interface KernelExports {
  heapBase(): number;
  gemmTask(task: number): void;
  patchTask(task: number): void;
  conv1ChannelRows(...args: number[]): void;
  depthwiseConvRows(...args: number[]): void;
  conv1ChannelFilterGrad(...args: number[]): void;
  callTask(task: number): void;
  fillBytes(dst: number, value: number, n: number): void;
  copyBytes(dst: number, src: number, n: number): void;
  /** A broadcasting [outer, inner] block: (kind, op, a, aOuter, aInner, b, bOuter, bInner, out, outer, inner). */
  elementwiseBlock(kind: number, op: number, ...block: number[]): void;
  whereBlock(elemBytes: number, ...blocks: number[]): void;
  unaryF32(op: number, ...args: number[]): void;
  /** (op, dy, y, out, n): dL/dx of an activation from dL/dy and its output y. */
  activationGrad(op: number, ...args: number[]): void;
  adamStep(...args: number[]): void;
  castElements(from: number, ...args: number[]): void;
  stridedCopy(elemBytes: number, src: number, dst: number, rank: number, meta: number): void;
  gather(elemBytes: number, x: number, outer: number, axisSize: number, inner: number, indices: number, count: number, out: number): void;
  scatterAddF32(out: number, outer: number, axisSize: number, inner: number, indices: number, count: number, src: number): void;
  reduceF32(op: number, x: number, out: number, outer: number, size: number, inner: number): void;
  argReduceF32(isMax: number, x: number, out: number, outer: number, size: number, inner: number, best: number): void;
  pool2d(isMax: number, ...args: number[]): void;
  pool2dBackward(isMax: number, ...args: number[]): void;
}

/** Kernels that worker threads run, by index in the control block. */
export const TASK_KERNELS = ['gemmTask', 'patchTask', 'callTask'] as const;
export type TaskKernel = (typeof TASK_KERNELS)[number];

export type KernelVariant = 'simd' | 'relaxedSimd';

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  if (typeof atob === 'function') return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  throw new BackendError('wasm: no base64 decoder (atob) in this environment');
}

const binaries: Partial<Record<KernelVariant, Uint8Array<ArrayBuffer>>> = {};

export function kernelBinary(variant: KernelVariant): Uint8Array<ArrayBuffer> {
  return (binaries[variant] ??= decodeBase64(variant === 'simd' ? simdBase64 : relaxedSimdBase64));
}

export interface VariantChoice {
  readonly variant: KernelVariant;
  /** Why a requested relaxed build is not used; empty when it is used or was not requested. */
  readonly relaxedSimdUnavailable: string;
}

/** The build to load: relaxed only when asked for and the engine validates it. */
export function chooseVariant(wantRelaxed: boolean): VariantChoice {
  if (typeof WebAssembly !== 'object' || !WebAssembly.validate(kernelBinary('simd'))) {
    throw new BackendError('wasm: this engine lacks WebAssembly SIMD or shared memory (threads)');
  }
  if (!wantRelaxed) return { variant: 'simd', relaxedSimdUnavailable: '' };
  if (WebAssembly.validate(kernelBinary('relaxedSimd'))) return { variant: 'relaxedSimd', relaxedSimdUnavailable: '' };
  return {
    variant: 'simd',
    relaxedSimdUnavailable: 'the engine rejects relaxed SIMD (on Node 20 start node with --experimental-wasm-relaxed-simd)',
  };
}

export function instantiateKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return instance.exports as unknown as KernelExports;
}
