/** Elementwise kernels (asm/elementwise.ts, asm/compare.ts): unary, binary and comparisons with broadcasting, where, cast. */
import type { BinaryOp, DataId, TensorRef, UnaryOp } from '../../backend/contract.js';
import type { DType } from '../../tensor/dtype.js';
import { itemSize } from '../../tensor/dtype.js';
import type { Shape } from '../../tensor/shape.js';
import { broadcastStrides, shapesEqual, sizeOf } from '../../tensor/shape.js';
import { BinaryCode, CompareCode, DTypeCode, ElementwiseKind, UnaryCode } from './generated/kernel-interface.js';
import { checkWasmDType, type WasmDType } from './heap.js';
import { codesFor } from './kernel-codes.js';
import { PARALLEL_MIN_ELEMENTS, splitRange, type KernelArgs, type WasmBuffer, type WasmRuntime } from './runtime.js';

const BINARY_CODES: Readonly<Partial<Record<BinaryOp, number>>> = codesFor<BinaryOp>()(BinaryCode);
const COMPARE_CODES: Readonly<Partial<Record<BinaryOp, number>>> = codesFor<BinaryOp>()(CompareCode);
const UNARY_CODES: Readonly<Partial<Record<UnaryOp, number>>> = codesFor<UnaryOp>()(UnaryCode);
const DTYPE_CODES: Readonly<Record<WasmDType, number>> = codesFor<WasmDType>()(DTypeCode);
/** int32 → int32 ops of the binaryI32 kind (the float32 codes). */
const INT_BINARY_OPS: ReadonlySet<BinaryOp> = new Set(['add', 'sub', 'mul', 'maximum', 'minimum']);

export function unary(rt: WasmRuntime, op: UnaryOp, x: TensorRef, outDType: DType): DataId {
  const code = UNARY_CODES[op];
  if (code === undefined || x.dtype !== 'float32' || outDType !== 'float32') {
    checkWasmDType(x.dtype, `unary(${op})`);
    return rt.fallback(`unary.${op}`, (ref) => ref.unary(op, rt.asReference(x), outDType));
  }
  const out = rt.allocate(sizeOf(x.shape), 'float32');
  const xPtr = rt.ptr(x);
  rt.splitElements(out.length, 'unaryF32', (start, count) => [code, xPtr + start * 4, out.ptr + start * 4, count]);
  return out;
}

/** The elementwiseBlock kind for `op` on operands of `inDType`, if there is one. */
function elementwiseKind(op: BinaryOp, inDType: DType, outDType: DType): keyof typeof ElementwiseKind | undefined {
  if (COMPARE_CODES[op] !== undefined && outDType === 'bool') {
    return inDType === 'float32' ? 'compareF32' : inDType === 'int32' ? 'compareI32' : undefined;
  }
  if (BINARY_CODES[op] === undefined || outDType !== inDType) return undefined;
  if (inDType === 'float32') return 'binaryF32';
  return inDType === 'int32' && INT_BINARY_OPS.has(op) ? 'binaryI32' : undefined;
}

export function binary(rt: WasmRuntime, op: BinaryOp, a: TensorRef, b: TensorRef, outShape: Shape, outDType: DType): DataId {
  const kind = elementwiseKind(op, a.dtype, outDType);
  if (kind === undefined) {
    checkWasmDType(a.dtype, `binary(${op})`);
    return rt.fallback(`binary.${op}`, (ref) => ref.binary(op, rt.asReference(a), rt.asReference(b), outShape, outDType));
  }
  const kindCode = ElementwiseKind[kind];
  const code = (kind === 'compareF32' || kind === 'compareI32' ? COMPARE_CODES[op] : BINARY_CODES[op])!;
  const out = rt.allocate(sizeOf(outShape), outDType as WasmDType);
  const length = out.length;
  // The tiny-op path: same shapes (or a scalar operand), one direct call.
  if (length < PARALLEL_MIN_ELEMENTS && (a.shape === b.shape || sizeOf(a.shape) === length) && (b.shape === a.shape || sizeOf(b.shape) === length)) {
    rt.kernels.elementwiseBlock(kindCode, code, rt.ptr(a), 0, 1, rt.ptr(b), 0, 1, out.ptr, 1, length);
    return out;
  }
  blocks(rt, outShape, [a, b], out, 'elementwiseBlock', (p, outPtr, outer, inner, so, si) =>
    [kindCode, code, p[0]!, so[0]!, si[0]!, p[1]!, so[1]!, si[1]!, outPtr, outer, inner]);
  return out;
}

export function where(rt: WasmRuntime, condition: TensorRef, a: TensorRef, b: TensorRef, outShape: Shape): DataId {
  const out = rt.allocate(sizeOf(outShape), checkWasmDType(a.dtype, 'where'));
  blocks(rt, outShape, [condition, a, b], out, 'whereBlock', (p, outPtr, outer, inner, so, si) =>
    [itemSize(out.dtype), p[0]!, so[0]!, si[0]!, p[1]!, so[1]!, si[1]!, p[2]!, so[2]!, si[2]!, outPtr, outer, inner]);
  return out;
}

export function cast(rt: WasmRuntime, x: TensorRef, dtype: DType): DataId {
  const out = rt.allocate(sizeOf(x.shape), checkWasmDType(dtype, 'cast'));
  const from = checkWasmDType(x.dtype, 'cast');
  const xPtr = rt.ptr(x);
  rt.splitElements(out.length, 'castElements', (start, count) =>
    [DTYPE_CODES[from], DTYPE_CODES[out.dtype], xPtr + start * itemSize(from), out.ptr + start * itemSize(out.dtype), count]);
  return out;
}

/**
 * Walks `outShape` in [outer, inner] blocks with every operand broadcast to it and runs `kernel` on
 * each with the arguments `args` builds from: each operand's byte pointer, the block's output
 * pointer and sizes, and each operand's outer and inner element strides (inner ones 0 or 1 after
 * collapsing). Same-shape operands take one block; large blocks are split across threads, by
 * rows, or along the row when there is only one.
 */
function blocks<K extends 'elementwiseBlock' | 'whereBlock'>(
  rt: WasmRuntime, outShape: Shape, operands: readonly TensorRef[], out: WasmBuffer, kernel: K,
  args: (ptrs: number[], outPtr: number, outer: number, inner: number, outerStrides: number[], innerStrides: number[]) => KernelArgs<K>,
): void {
  if (out.length === 0) return;
  const ptrs = operands.map((x) => rt.ptr(x));
  const sizes = operands.map((x) => itemSize(x.dtype));
  const outSize = itemSize(out.dtype);
  const run = (at: number[], outPtr: number, outer: number, inner: number, so: number[], si: number[]): void => {
    const threads = rt.threadsFor(outer * inner, PARALLEL_MIN_ELEMENTS);
    if (threads === 1 || (outer > 1 && outer < threads)) {
      rt.runSplit(kernel, [args(at, outPtr, outer, inner, so, si)]);
    } else if (outer > 1) {
      rt.runSplit(kernel, splitRange(outer, threads, 1).map(([start, end]) =>
        args(at.map((p, i) => p + start * so[i]! * sizes[i]!), outPtr + start * inner * outSize, end - start, inner, so, si)));
    } else {
      rt.runSplit(kernel, splitRange(inner, threads, 16).map(([start, end]) =>
        args(at.map((p, i) => p + start * si[i]! * sizes[i]!), outPtr + start * outSize, 1, end - start, so, si)));
    }
  };
  if (operands.every((x) => shapesEqual(x.shape, outShape) || sizeOf(x.shape) === 1)) {
    const inner = operands.map((x) => (sizeOf(x.shape) === 1 && out.length > 1 ? 0 : 1));
    run(ptrs, out.ptr, 1, out.length, operands.map(() => 0), inner);
    return;
  }
  const dims = collapseBroadcast(outShape, operands.map((x) => broadcastStrides(x.shape, outShape)));
  const rank = dims.sizes.length;
  const inner = dims.sizes[rank - 1]!;
  const outer = dims.sizes[rank - 2]!;
  const innerStrides = dims.strides.map((st) => st[rank - 1]!);
  const outerStrides = dims.strides.map((st) => st[rank - 2]!);
  // Leading dimensions beyond the last two are walked here; the kernel does [outer, inner] blocks.
  const blockCount = sizeOf(dims.sizes.slice(0, rank - 2));
  const index = new Array<number>(Math.max(rank - 2, 0)).fill(0);
  const offsets = operands.map(() => 0);
  for (let blk = 0; blk < blockCount; blk++) {
    run(ptrs.map((p, i) => p + offsets[i]! * sizes[i]!), out.ptr + blk * outer * inner * outSize, outer, inner, outerStrides, innerStrides);
    for (let d = rank - 3; d >= 0; d--) {
      index[d]!++;
      dims.strides.forEach((st, i) => (offsets[i]! += st[d]!));
      if (index[d]! < dims.sizes[d]!) break;
      dims.strides.forEach((st, i) => (offsets[i]! -= st[d]! * dims.sizes[d]!));
      index[d] = 0;
    }
  }
}

/**
 * Merges adjacent output dimensions that every operand walks contiguously (or broadcasts along
 * together), drops size-1 dimensions and pads to rank ≥ 2, so most broadcasts become one
 * [outer, inner] kernel call.
 */
export function collapseBroadcast(shape: Shape, strides: readonly number[][]): { sizes: number[]; strides: number[][] } {
  const sizes: number[] = [];
  const out: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d]!;
    if (size === 1) continue;
    const last = sizes.length - 1;
    const mergeable = last >= 0 && strides.every((s, i) => out[i]![last] === s[d]! * size);
    if (mergeable) {
      sizes[last]! *= size;
      strides.forEach((s, i) => (out[i]![last] = s[d]!));
    } else {
      sizes.push(size);
      strides.forEach((s, i) => out[i]!.push(s[d]!));
    }
  }
  while (sizes.length < 2) {
    sizes.unshift(1);
    out.forEach((s) => s.unshift(0));
  }
  return { sizes, strides: out };
}
