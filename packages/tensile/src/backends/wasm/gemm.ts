/**
 * Matrix products (asm/gemm.ts): one packed, register-blocked GEMM that reads operands through
 * (row, column) strides, split across threads by rows, columns, batch or depth. Convolutions use it too.
 */
import type { DataId, MatMulInfo, OutputEpilogue, TensorRef } from '../../backend/contract.js';
import { BinaryCode, ElementwiseKind, MR, NR } from './generated/kernel-interface.js';
import { splitRange, type WasmRuntime } from './runtime.js';

/** Below this many FLOP a GEMM runs on the calling thread alone (waking a worker costs more). */
export const PARALLEL_MIN_FLOPS = 1 << 19;

/** One strided GEMM: C[batch] (ldc) = A[batch]·B[batch], element strides, byte pointers. */
export interface GemmParams {
  readonly batch: number;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly a: number;
  readonly aRow: number;
  readonly aCol: number;
  readonly aBatch: number;
  readonly b: number;
  readonly bRow: number;
  readonly bCol: number;
  readonly bBatch: number;
  readonly c: number;
  readonly ldc: number;
  readonly cBatch: number;
  /** Byte pointer of a bias per column, 0 for none. */
  readonly bias?: number;
  /** Byte pointer of a tensor added to C after the bias, laid out as C is (ldc, cBatch); 0 for none. */
  readonly residual?: number;
  readonly relu?: boolean;
}

export function matmul(rt: WasmRuntime, a: TensorRef, b: TensorRef, info: MatMulInfo, epilogue?: OutputEpilogue): DataId {
  rt.requireFloat32('matmul', a, b, ...epilogueTensors(epilogue));
  const { batch, m, n, k } = info;
  const out = rt.allocate(batch * m * n, 'float32');
  gemm(rt, {
    batch, m, n, k,
    a: rt.ptr(a), aRow: info.transposeA ? 1 : k, aCol: info.transposeA ? m : 1, aBatch: info.aBatchStride,
    b: rt.ptr(b), bRow: info.transposeB ? 1 : n, bCol: info.transposeB ? k : 1, bBatch: info.bBatchStride,
    c: out.ptr, ldc: n, cBatch: m * n, ...epilogueFields(rt, epilogue),
  });
  return out;
}

/** The GEMM fields of an epilogue: the bias and residual pointers (0 for none) and the ReLU flag. */
export function epilogueFields(rt: WasmRuntime, epilogue: OutputEpilogue | undefined): { bias: number; residual: number; relu: boolean } {
  return {
    bias: epilogue?.bias ? rt.ptr(epilogue.bias) : 0,
    residual: epilogue?.residual ? rt.ptr(epilogue.residual) : 0,
    relu: epilogue?.relu ?? false,
  };
}

/** The tensors an epilogue reads (its bias and residual), for the dtype checks. */
export function epilogueTensors(epilogue: OutputEpilogue | undefined): TensorRef[] {
  return [epilogue?.bias, epilogue?.residual].filter((t): t is TensorRef => !!t);
}

export function gemm(rt: WasmRuntime, p: GemmParams): void {
  const threads = rt.threadsFor(2 * p.batch * p.m * p.n * p.k, PARALLEL_MIN_FLOPS);
  if (threads > 1 && p.batch >= threads) {
    runGemm(rt, splitRange(p.batch, threads, 1).map(([start, end]) => ({
      ...p, batch: end - start, a: p.a + start * p.aBatch * 4, b: p.b + start * p.bBatch * 4, c: p.c + start * p.cBatch * 4,
      residual: p.residual ? p.residual + start * p.cBatch * 4 : 0,
    })));
  } else if (threads > 1 && p.batch === 1 && p.k >= 8 * Math.max(p.m, p.n) && p.ldc === p.n && !p.bias && !p.residual && !p.relu) {
    gemmSplitDepth(rt, p, threads);
  } else {
    // Split the longer side in whole micro-tiles; each thread packs its own panels.
    const splitRows = p.m >= p.n;
    runGemm(rt, splitRange(splitRows ? p.m : p.n, threads, splitRows ? MR : NR).map(([start, end]) =>
      ({ ...p, rows: splitRows ? [start, end] : [0, p.m], cols: splitRows ? [0, p.n] : [start, end] })));
  }
}

/**
 * A small output over a long depth (the filter gradient of a first conv layer: 9×32 over 43,264
 * pixels): each thread takes a slice of k into its own partial product, then the partials are summed.
 */
function gemmSplitDepth(rt: WasmRuntime, p: GemmParams, threads: number): void {
  const ranges = splitRange(p.k, threads, 4);
  const outBytes = p.m * p.n * 4;
  const partials = ranges.slice(1).map(() => rt.temp(outBytes));
  try {
    runGemm(rt, ranges.map(([start, end], t) => ({
      ...p, k: end - start, a: p.a + start * p.aCol * 4, b: p.b + start * p.bRow * 4, c: t === 0 ? p.c : partials[t - 1]!.ptr,
    })));
    for (const partial of partials) {
      rt.kernels.elementwiseBlock(ElementwiseKind.binaryF32, BinaryCode.add, p.c, 0, 1, partial.ptr, 0, 1, p.c, 1, p.m * p.n);
    }
  } finally {
    for (const partial of partials) rt.release(partial);
  }
}

/** Runs one gemmTask per part (each over its row and column ranges, the whole output by default). */
function runGemm(rt: WasmRuntime, parts: readonly (GemmParams & { rows?: [number, number]; cols?: [number, number] })[]): void {
  rt.runGemmTasks(parts.map((p) => {
    const [rowStart, rowEnd] = p.rows ?? [0, p.m];
    const [colStart, colEnd] = p.cols ?? [0, p.n];
    return {
      batch: p.batch, k: p.k, a: p.a, aRow: p.aRow, aCol: p.aCol, aBatch: p.aBatch, b: p.b, bRow: p.bRow, bCol: p.bCol, bBatch: p.bBatch,
      c: p.c, ldc: p.ldc, cBatch: p.cBatch, rowStart, rowEnd, colStart, colEnd, bias: p.bias ?? 0, residual: p.residual ?? 0, relu: p.relu ?? false,
    };
  }));
}
