/** Pooling (asm/pool.ts): max and average windows over NHWC images and their gradients, split by images across threads. */
import type { DataId, Pool2DInfo, TensorRef } from '../../backend/contract.js';
import { PARALLEL_MIN_ELEMENTS, splitRange, type KernelArgs, type WasmRuntime } from './runtime.js';

type PoolKernel = 'pool2d' | 'pool2dBackward';

export function pool2d(rt: WasmRuntime, kind: 'max' | 'avg', x: TensorRef, info: Pool2DInfo): DataId {
  rt.requireFloat32('pool2d', x);
  const out = rt.allocate(info.batch * info.outHeight * info.outWidth * info.channels, 'float32');
  const xPtr = rt.ptr(x);
  splitImages(rt, info, 'pool2d', (first, images, inBytes, outBytes) =>
    [kind === 'max', xPtr + first * inBytes, out.ptr + first * outBytes, images, ...geometry(info)]);
  return out;
}

/** The pooling gradient; with `reluOfX`, masked by the gradient of the ReLU whose output x is (max pooling only; asm mode 2). */
export function pool2dBackward(rt: WasmRuntime, kind: 'max' | 'avg', dy: TensorRef, x: TensorRef, info: Pool2DInfo, reluOfX = false): DataId {
  rt.requireFloat32('pool2dBackward', dy, x);
  const dx = rt.allocate(info.batch * info.inHeight * info.inWidth * info.channels, 'float32');
  const [dyPtr, xPtr] = [rt.ptr(dy), rt.ptr(x)];
  splitImages(rt, info, 'pool2dBackward', (first, images, inBytes, outBytes) =>
    [kind === 'max' ? (reluOfX ? 2 : 1) : 0, dyPtr + first * outBytes, xPtr + first * inBytes, dx.ptr + first * inBytes, images, ...geometry(info)]);
  return dx;
}

/** The pooling kernels' arguments after the batch. */
function geometry(info: Pool2DInfo): [number, number, number, number, number, number, number, number, number, number, number] {
  return [
    info.inHeight, info.inWidth, info.channels, info.outHeight, info.outWidth,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padTop, info.padLeft,
  ];
}

/**
 * Runs a pooling kernel over image ranges split across threads, with the arguments `args` gives
 * for a range's first image, its image count and the bytes of one input and one output image.
 */
function splitImages<K extends PoolKernel>(
  rt: WasmRuntime, info: Pool2DInfo, kernel: K, args: (first: number, images: number, inBytes: number, outBytes: number) => KernelArgs<K>,
): void {
  const inBytes = info.inHeight * info.inWidth * info.channels * 4;
  const outBytes = info.outHeight * info.outWidth * info.channels * 4;
  const threads = rt.threadsFor(info.batch * inBytes / 4, PARALLEL_MIN_ELEMENTS);
  rt.runSplit(kernel, splitRange(info.batch, threads, 1).map(([first, end]) => args(first, end - first, inBytes, outBytes)));
}
