/** 2-D pooling of the reference backend (NHWC). Padded cells never win a max and are not counted in an average. */
import type { Pool2DInfo } from '../../backend/contract.js';
import type { DType, TypedArray } from '../../tensor/dtype.js';
import { allocArray } from '../../tensor/dtype.js';

/** Calls `visit(outIndex, inputOffsets)` for each output cell with the offsets of its in-image window cells. */
function forEachWindow(info: Pool2DInfo, visit: (out: number, cells: number[]) => void): void {
  const { batch, inHeight, inWidth, channels, outHeight, outWidth } = info;
  const cells: number[] = [];
  for (let n = 0; n < batch; n++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        for (let c = 0; c < channels; c++) {
          cells.length = 0;
          for (let fy = 0; fy < info.filterHeight; fy++) {
            const iy = oy * info.strideHeight - info.padTop + fy;
            if (iy < 0 || iy >= inHeight) continue;
            for (let fx = 0; fx < info.filterWidth; fx++) {
              const ix = ox * info.strideWidth - info.padLeft + fx;
              if (ix >= 0 && ix < inWidth) cells.push(((n * inHeight + iy) * inWidth + ix) * channels + c);
            }
          }
          visit(((n * outHeight + oy) * outWidth + ox) * channels + c, cells);
        }
      }
    }
  }
}

/** The first maximal cell of a window (NaN wins, as in max). */
function argmaxCell(x: TypedArray, cells: readonly number[]): number {
  let best = cells[0]!;
  for (const i of cells) if (x[i]! > x[best]! || (Number.isNaN(x[i]!) && !Number.isNaN(x[best]!))) best = i;
  return best;
}

export function pool2d(kind: 'max' | 'avg', x: TypedArray, info: Pool2DInfo, dtype: DType): TypedArray {
  const out = allocArray(dtype, info.batch * info.outHeight * info.outWidth * info.channels);
  forEachWindow(info, (o, cells) => {
    if (cells.length === 0) return;
    if (kind === 'max') out[o] = x[argmaxCell(x, cells)]!;
    else {
      let s = 0;
      for (const i of cells) s += x[i]!;
      out[o] = s / cells.length;
    }
  });
  return out;
}

export function pool2dBackward(kind: 'max' | 'avg', dy: TypedArray, x: TypedArray, info: Pool2DInfo, dtype: DType): TypedArray {
  const dx = allocArray(dtype, x.length);
  forEachWindow(info, (o, cells) => {
    if (cells.length === 0) return;
    if (kind === 'max') dx[argmaxCell(x, cells)]! += dy[o]!;
    else for (const i of cells) dx[i]! += dy[o]! / cells.length;
  });
  return dx;
}
