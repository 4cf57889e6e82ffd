/** HOG features (asm/hog.ts): scratch for the histograms, energies, row and block factors; one call, one thread. */
import type { DataId, HogInfo, TensorRef } from '../../backend/contract.js';
import type { WasmRuntime } from './runtime.js';

const ORIENTATIONS = 18;
const FEATURES = 31;

/** The [cellsY, cellsX, 31] features of the float32 image `image`. */
export function hog(rt: WasmRuntime, image: TensorRef, info: HogInfo): DataId {
  rt.requireFloat32('hog', image);
  const cellsY = Math.floor(info.height / info.cellSize);
  const cellsX = Math.floor(info.width / info.cellSize);
  const cells = cellsY * cellsX;
  const out = rt.allocate(cells * FEATURES, 'float32');
  const hist = rt.temp(cells * ORIENTATIONS * 4);
  const energy = rt.temp(cells * 4);
  // Eight per-pixel arrays of one row, then one factor per 2×2 block (asm/hog.ts).
  const scratch = rt.temp((8 * info.width + (cellsY + 1) * (cellsX + 1)) * 4);
  try {
    rt.kernels.hogF32(rt.ptr(image), info.height, info.width, info.cellSize, hist.ptr, energy.ptr, scratch.ptr, out.ptr);
  } finally {
    rt.release(scratch);
    rt.release(energy);
    rt.release(hist);
  }
  return out;
}
