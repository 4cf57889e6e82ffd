/**
 * Resizing a gray image (asm/resample.ts): the taps from backend/resample.ts uploaded beside the
 * image, then the two passes, each split across threads by rows when the image is large.
 */
import type { DataId, ResizeGrayInfo, TensorRef } from '../../backend/contract.js';
import { resampleTaps, type ResampleTaps } from '../../backend/resample.js';
import { PARALLEL_MIN_ELEMENTS, splitRange, type TempBlock, type WasmRuntime } from './runtime.js';

/** One axis's taps in temporary memory: start, count, then the weights. */
function uploadTaps(rt: WasmRuntime, taps: ResampleTaps): { block: TempBlock; start: number; count: number; weight: number } {
  const n = taps.start.length;
  const block = rt.temp((2 * n + taps.weight.length) * 4);
  rt.heap.write(block.ptr, taps.start);
  rt.heap.write(block.ptr + 4 * n, taps.count);
  rt.heap.write(block.ptr + 8 * n, taps.weight);
  return { block, start: block.ptr, count: block.ptr + 4 * n, weight: block.ptr + 8 * n };
}

export function resizeGray(rt: WasmRuntime, image: TensorRef, info: ResizeGrayInfo): DataId {
  rt.requireFloat32('resizeGray', image);
  const { height, width, outHeight, outWidth, method } = info;
  const horizontal = resampleTaps(width, outWidth, method);
  const vertical = resampleTaps(height, outHeight, method);
  const out = rt.allocate(outHeight * outWidth, 'float32');
  const x = uploadTaps(rt, horizontal);
  const y = uploadTaps(rt, vertical);
  const rows = rt.temp(height * outWidth * 4);
  const threads = rt.threadsFor(height * outWidth, PARALLEL_MIN_ELEMENTS);
  try {
    // Source rows in fours (the kernel's blocks), so only the last range has a short one.
    rt.runSplit('resampleRowsF32', splitRange(height, threads, 4).map(([start, end]) =>
      [rt.ptr(image), width, outWidth, x.start, x.count, x.weight, horizontal.maxTaps, rows.ptr, start, end]));
    rt.runSplit('resampleColumnsF32', splitRange(outHeight, threads, 1).map(([start, end]) =>
      [rows.ptr, outWidth, y.start, y.count, y.weight, vertical.maxTaps, info.uint8, out.ptr, start, end]));
  } finally {
    rt.release(rows);
    rt.release(y.block);
    rt.release(x.block);
  }
  return out;
}
