// Data movement: strided copies (permute, broadcast, slice, scatter into a slice, concat), gather
// and scatter-add. Strides are in elements and may be 0 or negative; elements are 4 or 1 bytes.
import { addInto } from './conv';
import { minI32 } from './simd';

/** Square tiles of a transposing copy: both the read and the write side stay within L1. */
const TILE = 32;

function metaAt(meta: usize, index: i32): i32 {
  return load<i32>(meta + (<usize>index << 2));
}

function byteOffset(elements: i32, shift: i32): usize {
  return <usize>(<isize>elements << shift);
}

/** One [rows, cols] block: dst[r·dRow + c·dCol] = src[r·sRow + c·sCol]. */
function copy2d<T>(src: usize, dst: usize, rows: i32, cols: i32, sRow: i32, sCol: i32, dRow: i32, dCol: i32): void {
  const shift = sizeof<T>() == 4 ? 2 : 0;
  if (sCol == 1 && dCol == 1) {
    const runBytes = <usize>cols << shift;
    for (let r = 0; r < rows; r++) memory.copy(dst + byteOffset(r * dRow, shift), src + byteOffset(r * sRow, shift), runBytes);
    return;
  }
  if (sCol == 0 && dCol == 1) {
    for (let r = 0; r < rows; r++) {
      const value = load<T>(src + byteOffset(r * sRow, shift));
      const row = dst + byteOffset(r * dRow, shift);
      let c = 0;
      if (sizeof<T>() == 4) {
        const lanes = i32x4.splat(<i32>value);
        for (; c + 4 <= cols; c += 4) v128.store(row + (<usize>c << 2), lanes);
      }
      for (; c < cols; c++) store<T>(row + (<usize>c << shift), value);
    }
    return;
  }
  if (sRow == 1 && dCol == 1) {
    // A transpose: walk tiles so reads (down source columns) and writes (along rows) both hit cache.
    for (let r0 = 0; r0 < rows; r0 += TILE) {
      const r1 = minI32(rows, r0 + TILE);
      for (let c0 = 0; c0 < cols; c0 += TILE) {
        const c1 = minI32(cols, c0 + TILE);
        for (let r = r0; r < r1; r++) {
          const from = src + byteOffset(r, shift);
          const to = dst + byteOffset(r * dRow, shift);
          for (let c = c0; c < c1; c++) store<T>(to + (<usize>c << shift), load<T>(from + byteOffset(c * sCol, shift)));
        }
      }
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      store<T>(dst + byteOffset(r * dRow + c * dCol, shift), load<T>(src + byteOffset(r * sRow + c * sCol, shift)));
    }
  }
}

/**
 * dst[Σ iₖ·dstStrides[k]] = src[Σ iₖ·srcStrides[k]] over every index of `sizes` (rank ≥ 2). `meta`
 * holds 4·rank i32: sizes, srcStrides, dstStrides, and rank slots of scratch for the index.
 */
export function stridedCopy(elemBytes: i32, src: usize, dst: usize, rank: i32, meta: usize): void {
  const shift = elemBytes == 4 ? 2 : 0;
  const rows = metaAt(meta, rank - 2);
  const cols = metaAt(meta, rank - 1);
  const sRow = metaAt(meta, 2 * rank - 2);
  const sCol = metaAt(meta, 2 * rank - 1);
  const dRow = metaAt(meta, 3 * rank - 2);
  const dCol = metaAt(meta, 3 * rank - 1);
  const index = meta + (<usize>(3 * rank) << 2);
  for (let d = 0; d < rank - 2; d++) store<i32>(index + (<usize>d << 2), 0);
  let s = src;
  let t = dst;
  for (;;) {
    if (elemBytes == 4) copy2d<i32>(s, t, rows, cols, sRow, sCol, dRow, dCol);
    else copy2d<u8>(s, t, rows, cols, sRow, sCol, dRow, dCol);
    let d = rank - 3;
    for (; d >= 0; d--) {
      const at = index + (<usize>d << 2);
      const size = metaAt(meta, d);
      const next = load<i32>(at) + 1;
      s += byteOffset(metaAt(meta, rank + d), shift);
      t += byteOffset(metaAt(meta, 2 * rank + d), shift);
      if (next < size) {
        store<i32>(at, next);
        break;
      }
      store<i32>(at, 0);
      s -= byteOffset(metaAt(meta, rank + d) * size, shift);
      t -= byteOffset(metaAt(meta, 2 * rank + d) * size, shift);
    }
    if (d < 0) return;
  }
}

/** x as [outer, axisSize, inner]; out[o, k, :] = x[o, indices[k], :] for k < count. */
export function gather(elemBytes: i32, x: usize, outer: i32, axisSize: i32, inner: i32, indices: usize, count: i32, out: usize): void {
  const runBytes = <usize>(inner * elemBytes);
  let dst = out;
  for (let o = 0; o < outer; o++) {
    const base = x + <usize>(o * axisSize) * runBytes;
    for (let k = 0; k < count; k++) {
      const src = base + <usize>load<i32>(indices + (<usize>k << 2)) * runBytes;
      if (inner == 1 && elemBytes == 4) store<i32>(dst, load<i32>(src));
      else memory.copy(dst, src, runBytes);
      dst += runBytes;
    }
  }
}

/** out (a copy of the base, [outer, axisSize, inner]) += src ([outer, count, inner]) at the indices, float32. */
export function scatterAddF32(out: usize, outer: i32, axisSize: i32, inner: i32, indices: usize, count: i32, src: usize): void {
  const rowBytes = <usize>inner << 2;
  let from = src;
  for (let o = 0; o < outer; o++) {
    const base = out + <usize>(o * axisSize) * rowBytes;
    for (let k = 0; k < count; k++) {
      const to = base + <usize>load<i32>(indices + (<usize>k << 2)) * rowBytes;
      addInto(to, from, inner);
      from += rowBytes;
    }
  }
}

/** memory.fill / memory.copy for the host: typed-array fill and copyWithin are slow on shared memory. */
export function fillBytes(dst: usize, value: u8, n: usize): void {
  memory.fill(dst, value, n);
}

export function copyBytes(dst: usize, src: usize, n: usize): void {
  memory.copy(dst, src, n);
}
