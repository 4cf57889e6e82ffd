/**
 * Window scores as one GEMM: a window row of the map is windowWidth·channels contiguous floats, and
 * the rows starting at successive cells overlap, so the map read with a column stride of `channels`
 * is the matrix of every window row; times the weights' rows it gives every window row's dot product
 * ([windowHeight, starts]). A window's score then sums windowHeight of them, each row of scores
 * one contiguous run per window row: windowHeight elementwise adds.
 */
import type { DataId, TensorRef, WindowScoresInfo } from '../../backend/contract.js';
import { BinaryCode, ElementwiseKind } from './generated/kernel-interface.js';
import { gemm } from './gemm.js';
import type { WasmRuntime } from './runtime.js';

export function windowScores(rt: WasmRuntime, map: TensorRef, weights: TensorRef, info: WindowScoresInfo): DataId {
  rt.requireFloat32('windowScores', map, weights);
  const { mapHeight, mapWidth, windowHeight, windowWidth, channels } = info;
  const positionsY = mapHeight - windowHeight + 1;
  const positionsX = mapWidth - windowWidth + 1;
  const rowLength = windowWidth * channels;
  // Every cell whose window row ends inside the map (the last cells of a map row wrap into the next: unused).
  const starts = mapHeight * mapWidth - windowWidth + 1;
  const out = rt.allocate(positionsY * positionsX, 'float32');
  const products = rt.temp(windowHeight * starts * 4);
  try {
    gemm(rt, {
      batch: 1, m: windowHeight, n: starts, k: rowLength,
      a: rt.ptr(weights), aRow: rowLength, aCol: 1, aBatch: 0,
      b: rt.ptr(map), bRow: 1, bCol: channels, bBatch: 0,
      c: products.ptr, ldc: starts, cBatch: 0,
    });
    rt.kernels.fillBytes(out.ptr, 0, positionsY * positionsX * 4);
    for (let a = 0; a < windowHeight; a++) {
      // Window (y, x) reads window row a's product at start (y + a)·mapWidth + x.
      const row = products.ptr + (a * starts + a * mapWidth) * 4;
      rt.kernels.elementwiseBlock(ElementwiseKind.binaryF32, BinaryCode.add, out.ptr, positionsX, 1, row, mapWidth, 1, out.ptr, positionsY, positionsX);
    }
  } finally {
    rt.release(products);
  }
  return out;
}
