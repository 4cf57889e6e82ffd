/** Data-movement kernels of the reference backend. */
import type { DType, TypedArray } from '../../tensor/dtype.js';
import { allocArray } from '../../tensor/dtype.js';
import type { Shape } from '../../tensor/shape.js';
import { sizeOf } from '../../tensor/shape.js';

/** Calls `visit(i, source)` for every output position i of `shape`, source = offset + Σ idx·strides. */
function forEachStrided(shape: Shape, strides: readonly number[], offset: number, visit: (i: number, src: number) => void): void {
  const total = sizeOf(shape);
  const rank = shape.length;
  if (total === 0) return;
  if (rank === 0) {
    visit(0, offset);
    return;
  }
  const idx = new Array<number>(rank).fill(0);
  const inner = shape[rank - 1]!;
  const step = strides[rank - 1]!;
  let src = offset;
  for (let i = 0; i < total; i += inner) {
    for (let j = 0; j < inner; j++) visit(i + j, src + j * step);
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]!++;
      src += strides[d]!;
      if (idx[d]! < shape[d]!) break;
      src -= strides[d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

export function stridedCopy(x: TypedArray, dtype: DType, outShape: Shape, strides: readonly number[], offset: number): TypedArray {
  const out = allocArray(dtype, sizeOf(outShape));
  forEachStrided(outShape, strides, offset, (i, src) => {
    out[i] = x[src]!;
  });
  return out;
}

export function stridedScatter(base: TypedArray, src: TypedArray, srcShape: Shape, strides: readonly number[], offset: number): TypedArray {
  const out = base.slice();
  forEachStrided(srcShape, strides, offset, (i, dst) => {
    out[dst] = src[i]!;
  });
  return out;
}

export function concat(inputs: readonly { values: TypedArray; shape: Shape }[], axis: number, outShape: Shape, dtype: DType): TypedArray {
  const out = allocArray(dtype, sizeOf(outShape));
  const outer = sizeOf(outShape.slice(0, axis));
  const outRow = sizeOf(outShape.slice(axis));
  let column = 0;
  for (const { values, shape } of inputs) {
    const row = sizeOf(shape.slice(axis));
    for (let o = 0; o < outer; o++) out.set(values.subarray(o * row, (o + 1) * row), o * outRow + column);
    column += row;
  }
  return out;
}

export function gather(x: TypedArray, shape: Shape, indices: Int32Array, axis: number, dtype: DType): TypedArray {
  const outer = sizeOf(shape.slice(0, axis));
  const axisSize = shape[axis]!;
  const inner = sizeOf(shape.slice(axis + 1));
  const out = allocArray(dtype, outer * indices.length * inner);
  let o = 0;
  for (let i = 0; i < outer; i++) {
    for (let k = 0; k < indices.length; k++) {
      const start = (i * axisSize + indices[k]!) * inner;
      // A view per short row costs more than the copy (a loss picking one logit per example).
      if (inner < 16) for (let j = 0; j < inner; j++) out[o + j] = x[start + j]!;
      else out.set(x.subarray(start, start + inner), o);
      o += inner;
    }
  }
  return out;
}

export function scatterAdd(base: TypedArray, shape: Shape, indices: Int32Array, src: TypedArray, axis: number): TypedArray {
  const outer = sizeOf(shape.slice(0, axis));
  const axisSize = shape[axis]!;
  const inner = sizeOf(shape.slice(axis + 1));
  const out = base.slice();
  let s = 0;
  for (let i = 0; i < outer; i++) {
    for (let k = 0; k < indices.length; k++) {
      const start = (i * axisSize + indices[k]!) * inner;
      for (let j = 0; j < inner; j++) out[start + j]! += src[s++]!;
    }
  }
  return out;
}

export function topk(x: TypedArray, shape: Shape, k: number, largest: boolean, dtype: DType): { values: TypedArray; indices: Int32Array } {
  const n = shape.length ? shape[shape.length - 1]! : 1;
  const rows = n === 0 ? 0 : x.length / n;
  const values = allocArray(dtype, rows * k);
  const indices = new Int32Array(rows * k);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    for (let i = 0; i < n; i++) order[i] = i;
    // NaN sorts as the largest value (as in PyTorch); ties keep the lower index first.
    const key = (i: number): number => {
      const v = x[base + i]!;
      return Number.isNaN(v) ? Infinity : v;
    };
    order.sort((p, q) => {
      const d = largest ? key(q) - key(p) : key(p) - key(q);
      return d !== 0 && !Number.isNaN(d) ? d : p - q;
    });
    for (let j = 0; j < k; j++) {
      values[r * k + j] = x[base + order[j]!]!;
      indices[r * k + j] = order[j]!;
    }
  }
  return { values, indices };
}
