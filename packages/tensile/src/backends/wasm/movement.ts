/** Movement kernels (asm/movement.ts): strided copies and scatters, concat, gather and scatter-add. */
import type { DataId, TensorRef } from '../../backend/contract.js';
import { itemSize } from '../../tensor/dtype.js';
import type { Shape } from '../../tensor/shape.js';
import { sizeOf, stridesOf } from '../../tensor/shape.js';
import { collapseBroadcast } from './elementwise.js';
import { checkWasmDType, type WasmDType } from './heap.js';
import type { WasmRuntime } from './runtime.js';

/** dst[Σ iₖ·dstStrides[k]] = src[Σ iₖ·srcStrides[k]] over `shape`, dimensions merged where both sides allow. */
function copyStrided(rt: WasmRuntime, dtype: WasmDType, src: number, dst: number, shape: Shape, srcStrides: readonly number[], dstStrides: readonly number[]): void {
  if (sizeOf(shape) === 0) return;
  const dims = collapseBroadcast(shape, [[...srcStrides], [...dstStrides]]);
  const rank = dims.sizes.length;
  const meta = rt.temp(16 * rank);
  (rt.heap.whole('int32') as Int32Array).set([...dims.sizes, ...dims.strides[0]!, ...dims.strides[1]!], meta.ptr >> 2);
  rt.kernels.stridedCopy(itemSize(dtype), src, dst, rank, meta.ptr);
  rt.release(meta);
}

export function stridedCopy(rt: WasmRuntime, x: TensorRef, outShape: Shape, strides: readonly number[], offset: number): DataId {
  const out = rt.allocate(sizeOf(outShape), checkWasmDType(x.dtype, 'stridedCopy'));
  copyStrided(rt, out.dtype, rt.ptr(x) + offset * itemSize(out.dtype), out.ptr, outShape, strides, stridesOf(outShape));
  return out;
}

export function stridedScatter(rt: WasmRuntime, base: TensorRef, src: TensorRef, strides: readonly number[], offset: number): DataId {
  checkWasmDType(base.dtype, 'stridedScatter');
  const out = rt.duplicate(base);
  copyStrided(rt, out.dtype, rt.ptr(src), out.ptr + offset * itemSize(out.dtype), src.shape, stridesOf(src.shape), strides);
  return out;
}

export function concat(rt: WasmRuntime, inputs: readonly TensorRef[], axis: number, outShape: Shape): DataId {
  const out = rt.allocate(sizeOf(outShape), checkWasmDType(inputs[0]!.dtype, 'concat'));
  const outer = sizeOf(outShape.slice(0, axis));
  const outRow = sizeOf(outShape.slice(axis));
  let column = 0;
  for (const x of inputs) {
    const row = sizeOf(x.shape.slice(axis));
    copyStrided(rt, out.dtype, rt.ptr(x), out.ptr + column * itemSize(out.dtype), [outer, row], [row, 1], [outRow, 1]);
    column += row;
  }
  return out;
}

export function gather(rt: WasmRuntime, x: TensorRef, indices: TensorRef, axis: number, outShape: Shape): DataId {
  const out = rt.allocate(sizeOf(outShape), checkWasmDType(x.dtype, 'gather'));
  const outer = sizeOf(x.shape.slice(0, axis));
  const inner = sizeOf(x.shape.slice(axis + 1));
  rt.kernels.gather(itemSize(out.dtype), rt.ptr(x), outer, x.shape[axis]!, inner, rt.ptr(indices), sizeOf(indices.shape), out.ptr);
  return out;
}

export function scatterAdd(rt: WasmRuntime, base: TensorRef, indices: TensorRef, src: TensorRef, axis: number): DataId {
  if (base.dtype !== 'float32') {
    checkWasmDType(base.dtype, 'scatterAdd');
    return rt.fallback('scatterAdd', (ref) => ref.scatterAdd(rt.asReference(base), rt.asReference(indices), rt.asReference(src), axis));
  }
  const out = rt.duplicate(base);
  const outer = sizeOf(base.shape.slice(0, axis));
  const inner = sizeOf(base.shape.slice(axis + 1));
  rt.kernels.scatterAddF32(out.ptr, outer, base.shape[axis]!, inner, rt.ptr(indices), sizeOf(indices.shape), rt.ptr(src));
  return out;
}
