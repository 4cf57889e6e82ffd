/**
 * Convolution of the reference backend by im2col + GEMM, per group. Layouts: x NHWC, filter HWIO
 * with I = inChannels/groups, output NHWC.
 */
import type { Conv2DInfo } from '../../backend/contract.js';
import type { DType, TypedArray } from '../../tensor/dtype.js';
import { allocArray } from '../../tensor/dtype.js';
import { gemm, transposed } from './matmul.js';

/** Patches of group g: [batch·outH·outW, fH·fW·inPerGroup]; cells that fall in padding are 0. */
function im2col(x: TypedArray, info: Conv2DInfo, g: number): Float64Array {
  const cin = info.inChannels / info.groups;
  const cols = info.filterHeight * info.filterWidth * cin;
  const out = new Float64Array(info.batch * info.outHeight * info.outWidth * cols);
  forEachTap(info, (row, col, src) => {
    for (let c = 0; c < cin; c++) out[row * cols + col + c] = x[src + g * cin + c]!;
  });
  return out;
}

/** Visits each (output pixel row, patch column, input offset) pair that lies inside the image. */
function forEachTap(info: Conv2DInfo, visit: (row: number, col: number, src: number) => void): void {
  const { batch, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const cin = inChannels / info.groups;
  for (let nb = 0; nb < batch; nb++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        const row = (nb * outHeight + oy) * outWidth + ox;
        for (let fy = 0; fy < filterHeight; fy++) {
          const iy = oy * info.strideHeight - info.padTop + fy * info.dilationHeight;
          if (iy < 0 || iy >= inHeight) continue;
          for (let fx = 0; fx < filterWidth; fx++) {
            const ix = ox * info.strideWidth - info.padLeft + fx * info.dilationWidth;
            if (ix < 0 || ix >= inWidth) continue;
            visit(row, (fy * filterWidth + fx) * cin, ((nb * inHeight + iy) * inWidth + ix) * inChannels);
          }
        }
      }
    }
  }
}

/**
 * Group g's output-channel columns of a [rows, outChannels] array as a contiguous [rows, outPerGroup]
 * matrix: the filter (rows = fH·fW·inPerGroup) or the output gradient (rows = pixels).
 */
function groupColumns(values: TypedArray, info: Conv2DInfo, g: number): Float64Array {
  const coutG = info.outChannels / info.groups;
  const rows = values.length / info.outChannels;
  const out = new Float64Array(rows * coutG);
  for (let r = 0; r < rows; r++) for (let c = 0; c < coutG; c++) out[r * coutG + c] = values[r * info.outChannels + g * coutG + c]!;
  return out;
}

export function conv2d(x: TypedArray, filter: TypedArray, info: Conv2DInfo, dtype: DType): TypedArray {
  const pixels = info.batch * info.outHeight * info.outWidth;
  const coutG = info.outChannels / info.groups;
  const k = filter.length / info.outChannels;
  const out = allocArray(dtype, pixels * info.outChannels);
  const part = new Float64Array(pixels * coutG);
  for (let g = 0; g < info.groups; g++) {
    gemm(im2col(x, info, g), groupColumns(filter, info, g), part, pixels, coutG, k);
    for (let p = 0; p < pixels; p++) for (let c = 0; c < coutG; c++) out[p * info.outChannels + g * coutG + c] = part[p * coutG + c]!;
  }
  return out;
}

export function conv2dBackpropInput(dy: TypedArray, filter: TypedArray, info: Conv2DInfo, dtype: DType): TypedArray {
  const pixels = info.batch * info.outHeight * info.outWidth;
  const coutG = info.outChannels / info.groups;
  const cin = info.inChannels / info.groups;
  const k = filter.length / info.outChannels;
  const dx = allocArray(dtype, info.batch * info.inHeight * info.inWidth * info.inChannels);
  const dcol = new Float64Array(pixels * k);
  for (let g = 0; g < info.groups; g++) {
    const wT = transposed(groupColumns(filter, info, g), 0, k, coutG);
    gemm(groupColumns(dy, info, g), wT, dcol, pixels, k, coutG);
    forEachTap(info, (row, col, src) => {
      for (let c = 0; c < cin; c++) dx[src + g * cin + c]! += dcol[row * k + col + c]!;
    });
  }
  return dx;
}

export function conv2dBackpropFilter(x: TypedArray, dy: TypedArray, info: Conv2DInfo, dtype: DType): TypedArray {
  const pixels = info.batch * info.outHeight * info.outWidth;
  const coutG = info.outChannels / info.groups;
  const k = info.filterHeight * info.filterWidth * (info.inChannels / info.groups);
  const dw = allocArray(dtype, k * info.outChannels);
  const part = new Float64Array(k * coutG);
  for (let g = 0; g < info.groups; g++) {
    const colsT = transposed(im2col(x, info, g), 0, pixels, k);
    gemm(colsT, groupColumns(dy, info, g), part, k, coutG, pixels);
    for (let r = 0; r < k; r++) for (let c = 0; c < coutG; c++) dw[r * info.outChannels + g * coutG + c] = part[r * coutG + c]!;
  }
  return dw;
}
