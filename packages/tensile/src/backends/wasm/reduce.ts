/** Reductions (asm/reduce.ts): sum, max, min and arg max/min over [outer, reduceSize, inner]; top-k falls back. */
import type { DataId, ReduceOp, TensorRef } from '../../backend/contract.js';
import type { DType } from '../../tensor/dtype.js';
import { ReduceCode } from './generated/kernel-interface.js';
import { checkWasmDType } from './heap.js';
import { codesFor } from './kernel-codes.js';
import type { WasmRuntime } from './runtime.js';

const REDUCE_CODES: Readonly<Partial<Record<ReduceOp, number>>> = codesFor<ReduceOp>()(ReduceCode);

export function reduce(rt: WasmRuntime, op: ReduceOp, x: TensorRef, outer: number, reduceSize: number, inner: number, outDType: DType): DataId {
  if ((op === 'argmax' || op === 'argmin') && x.dtype === 'float32' && reduceSize > 0) {
    const out = rt.allocate(outer * inner, 'int32');
    const best = rt.temp(inner * 4);
    rt.kernels.argReduceF32(op === 'argmax', rt.ptr(x), out.ptr, outer, reduceSize, inner, best.ptr);
    rt.release(best);
    return out;
  }
  const code = REDUCE_CODES[op];
  if (code === undefined || x.dtype !== 'float32' || outDType !== 'float32' || reduceSize === 0) {
    checkWasmDType(x.dtype, `reduce(${op})`);
    return rt.fallback(`reduce.${op}`, (ref) => ref.reduce(op, rt.asReference(x), outer, reduceSize, inner, outDType));
  }
  const out = rt.allocate(outer * inner, 'float32');
  rt.kernels.reduceF32(code, rt.ptr(x), out.ptr, outer, reduceSize, inner);
  return out;
}

export function topk(rt: WasmRuntime, x: TensorRef, k: number, largest: boolean): { values: DataId; indices: DataId } {
  checkWasmDType(x.dtype, 'topk');
  let indices: DataId | undefined;
  const values = rt.fallback('topk', (ref) => {
    const result = ref.topk(rt.asReference(x), k, largest);
    indices = rt.fromReference(result.indices);
    return result.values;
  });
  return { values, indices: indices! };
}
