/**
 * HOG features (asm/hog.ts) in two phases over bands of cell rows, one band per thread: the
 * histograms and energies, then (the blocks of a band read the energies of its neighbours') the
 * features. Each histogram entry sums its votes in pixel order whatever the bands, so the features do
 * not depend on the thread count.
 */
import type { DataId, HogInfo, TensorRef } from '../../backend/contract.js';
import { HOG_ROW_ARRAYS, HOG_ROW_CELLS_EXTRA } from './generated/kernel-interface.js';
import { splitRange, type WasmRuntime } from './runtime.js';

const ORIENTATIONS = 18;
const FEATURES = 31;
/** Below this many pixels a HOG map is computed on the calling thread alone. */
const PARALLEL_MIN_PIXELS = 1 << 16;

/** The [cellsY, cellsX, 31] features of the float32 image `image`. */
export function hog(rt: WasmRuntime, image: TensorRef, info: HogInfo): DataId {
  rt.requireFloat32('hog', image);
  const { height, width, cellSize } = info;
  const cellsY = Math.floor(height / cellSize);
  const cellsX = Math.floor(width / cellSize);
  const cells = cellsY * cellsX;
  const bands = splitRange(cellsY, rt.threadsFor(height * width, PARALLEL_MIN_PIXELS), 1);
  const out = rt.allocate(cells * FEATURES, 'float32');
  const hist = rt.temp(cells * ORIENTATIONS * 4);
  const energy = rt.temp(cells * 4);
  const scratch = bands.map(([start, end]) => rt.temp(Math.max(HOG_ROW_ARRAYS * width + (cellsX + HOG_ROW_CELLS_EXTRA) * ORIENTATIONS, (end - start + 1) * (cellsX + 1)) * 4));
  try {
    rt.runSplit('hogHistogramRows', bands.map(([start, end], t) => [rt.ptr(image), height, width, cellSize, hist.ptr, energy.ptr, scratch[t]!.ptr, start, end]));
    rt.runSplit('hogFeatureRows', bands.map(([start, end], t) => [height, width, cellSize, hist.ptr, energy.ptr, scratch[t]!.ptr, out.ptr, start, end]));
  } finally {
    for (const block of scratch) rt.release(block);
    rt.release(energy);
    rt.release(hist);
  }
  return out;
}
