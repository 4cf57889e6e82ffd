// Packed, register-blocked SGEMM (Goto/BLIS loop order) with a 4×8 micro-tile: eight f32x4
// accumulators, two B vectors and the four broadcast A values (V8 loads them all at the top of the
// loop) fit the fifteen vector registers V8 allocates on x64. A 6×8 tile's twelve accumulators did
// not: V8 kept four of them on the stack, so their FMA chains went through memory every step.
// Operands are addressed through (row stride, column stride) pairs, so transposed storage is
// handled while packing and never materialised.
import { madd, minI32 } from './simd';

/** Micro-tile rows and columns. */
export const MR: i32 = 4;
export const NR: i32 = 8;
/** Rows of A packed per block (packed A: MC·KC floats, L2-resident), a multiple of MR. */
export const MC: i32 = 120;
/** Depth of one packed block (a packed B micro-panel, KC·NR floats, stays in L1). */
export const KC: i32 = 256;
/** Columns of B packed per block. */
export const NC: i32 = 1024;

/**
 * Fields of a GEMM task block (i32 each), written by the host for every thread in this order (the
 * host reads the layout from the build). Byte pointers, element strides; packA (MC·KC floats), packB
 * (KC·NC floats) and tile (MR·NR floats) are the thread's scratch.
 */
export enum GemmField {
  batch, k, a, aRow, aCol, aBatch, b, bRow, bCol, bBatch, c, ldc, cBatch,
  rowStart, rowEnd, colStart, colEnd, packA, packB, tile, bias, relu, residual,
}

function field(task: usize, index: i32): i32 {
  return load<i32>(task + (<usize>index << 2));
}

/**
 * C[batch] = A[batch]·B[batch] (+ bias per column, + the residual, then ReLU when asked) over the
 * rows [rowStart,rowEnd) and columns [colStart,colEnd) this task owns. Byte pointers, element
 * strides; the residual (0 for none) is laid out as C is (ldc, cBatch).
 */
export function gemmTask(task: usize): void {
  const batch = field(task, GemmField.batch);
  const k = field(task, GemmField.k);
  const rowStart = field(task, GemmField.rowStart);
  const rowEnd = field(task, GemmField.rowEnd);
  const colStart = field(task, GemmField.colStart);
  const colEnd = field(task, GemmField.colEnd);
  if (rowStart >= rowEnd || colStart >= colEnd) return;
  const ldc = field(task, GemmField.ldc);
  const bias = <usize>field(task, GemmField.bias);
  const relu = field(task, GemmField.relu) != 0;
  const residualBase = <usize>field(task, GemmField.residual);
  for (let bi = 0; bi < batch; bi++) {
    const a = <usize>field(task, GemmField.a) + ((<usize>(bi * field(task, GemmField.aBatch))) << 2);
    const b = <usize>field(task, GemmField.b) + ((<usize>(bi * field(task, GemmField.bBatch))) << 2);
    const cOffset = (<usize>(bi * field(task, GemmField.cBatch))) << 2;
    const c = <usize>field(task, GemmField.c) + cOffset;
    const residual = residualBase != 0 ? residualBase + cOffset : 0;
    if (k == 0) {
      for (let i = rowStart; i < rowEnd; i++) {
        const at = (<usize>(i * ldc + colStart)) << 2;
        memory.fill(c + at, 0, <usize>(colEnd - colStart) << 2);
        if (bias != 0 || relu || residual != 0) {
          tileEpilogue(c + at, 0, 1, colEnd - colStart, bias + (<usize>colStart << 2), residual != 0 ? residual + at : 0, relu);
        }
      }
    } else {
      gemmRegion(task, k, a, b, c, ldc, rowStart, rowEnd, colStart, colEnd, bias, residual, relu);
    }
  }
}

function gemmRegion(
  task: usize, k: i32, a: usize, b: usize, c: usize, ldc: i32,
  rowStart: i32, rowEnd: i32, colStart: i32, colEnd: i32, bias: usize, residual: usize, relu: bool,
): void {
  const aRow = field(task, GemmField.aRow);
  const aCol = field(task, GemmField.aCol);
  const bRow = field(task, GemmField.bRow);
  const bCol = field(task, GemmField.bCol);
  const packA = <usize>field(task, GemmField.packA);
  const packB = <usize>field(task, GemmField.packB);
  const tile = <usize>field(task, GemmField.tile);
  // Equal depth blocks: K = 288 runs as 144 + 144, not 256 + a 32 that rereads all of C.
  const depthBlocks = (k + KC - 1) / KC;
  const kcStep = (k + depthBlocks - 1) / depthBlocks;
  for (let jc = colStart; jc < colEnd; jc += NC) {
    const nc = minI32(NC, colEnd - jc);
    for (let pc = 0; pc < k; pc += kcStep) {
      const kc = minI32(kcStep, k - pc);
      packPanelsB(b, bRow, bCol, pc, kc, jc, nc, packB);
      const accumulate = pc > 0;
      // The epilogue runs on each tile right after its last depth block, while the tile is in L1.
      const finishing = (bias != 0 || relu || residual != 0) && pc + kc >= k;
      for (let ic = rowStart; ic < rowEnd; ic += MC) {
        const mc = minI32(MC, rowEnd - ic);
        packPanelsA(a, aRow, aCol, ic, mc, pc, kc, packA);
        for (let jr = 0; jr < nc; jr += NR) {
          const bPanel = packB + (<usize>(jr * kc) << 2);
          const nr = minI32(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            const tileAt = <usize>((ic + ir) * ldc + jc + jr) << 2;
            const rows = minI32(MR, mc - ir);
            microKernel(
              kc, packA + (<usize>(ir * kc) << 2), bPanel, c + tileAt, ldc, rows, nr, accumulate, tile,
              finishing && bias != 0 ? bias + (<usize>(jc + jr) << 2) : 0, finishing && residual != 0 ? residual + tileAt : 0, finishing && relu,
            );
          }
        }
      }
    }
  }
}

/** Packs rows [ic, ic+mc) × depth [pc, pc+kc) of A into MR-row panels, k-major, zero-padded. */
function packPanelsA(a: usize, rowStride: i32, colStride: i32, ic: i32, mc: i32, pc: i32, kc: i32, dst: usize): void {
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = minI32(MR, mc - ir);
    const panelRow = <usize>MR << 2;
    if (rows == MR && rowStride == 1) {
      // Transposed storage: the MR values of one k are adjacent.
      let src = a + (<usize>(ic + ir + pc * colStride) << 2);
      const step = <usize>colStride << 2;
      for (let p = 0; p < kc; p++) {
        v128.store(dst + <usize>p * panelRow, v128.load(src));
        src += step;
      }
    } else if (rows == MR && colStride == 1) {
      packRowMajorPanelA(a + (<usize>((ic + ir) * rowStride + pc) << 2), <usize>rowStride << 2, kc, dst);
    } else {
      for (let i = 0; i < MR; i++) {
        const out = dst + (<usize>i << 2);
        if (i < rows) {
          let src = a + (<usize>((ic + ir + i) * rowStride + pc * colStride) << 2);
          const step = <usize>colStride << 2;
          for (let p = 0; p < kc; p++) {
            store<f32>(out + <usize>p * panelRow, load<f32>(src));
            src += step;
          }
        } else {
          for (let p = 0; p < kc; p++) store<f32>(out + <usize>p * panelRow, 0);
        }
      }
    }
    dst += <usize>(kc * MR) << 2;
  }
}

/**
 * One MR-row panel of row-major A (rows `rowBytes` apart from `src`): four k at a time, the 4×4
 * block is transposed with shuffles into one vector per k.
 */
function packRowMajorPanelA(src: usize, rowBytes: usize, kc: i32, dst: usize): void {
  const panelRow = <usize>MR << 2;
  let p = 0;
  for (; p + 4 <= kc; p += 4) {
    const at = src + (<usize>p << 2);
    const r0 = v128.load(at);
    const r1 = v128.load(at + rowBytes);
    const r2 = v128.load(at + 2 * rowBytes);
    const r3 = v128.load(at + 3 * rowBytes);
    const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
    const t1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
    const t2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
    const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
    const out = dst + <usize>p * panelRow;
    v128.store(out, i64x2.shuffle(t0, t1, 0, 2));
    v128.store(out, i64x2.shuffle(t0, t1, 1, 3), 16);
    v128.store(out, i64x2.shuffle(t2, t3, 0, 2), 32);
    v128.store(out, i64x2.shuffle(t2, t3, 1, 3), 48);
  }
  for (; p < kc; p++) {
    const out = dst + <usize>p * panelRow;
    for (let i = 0; i < MR; i++) store<f32>(out + (<usize>i << 2), load<f32>(src + <usize>i * rowBytes + (<usize>p << 2)));
  }
}

/** Packs depth [pc, pc+kc) × columns [jc, jc+nc) of B into NR-column panels, k-major, zero-padded. */
function packPanelsB(b: usize, rowStride: i32, colStride: i32, pc: i32, kc: i32, jc: i32, nc: i32, dst: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const cols = minI32(NR, nc - jr);
    if (cols == NR && colStride == 1) {
      let src = b + (<usize>(pc * rowStride + jc + jr) << 2);
      const step = <usize>rowStride << 2;
      for (let p = 0; p < kc; p++) {
        const out = dst + (<usize>p << 5);
        v128.store(out, v128.load(src));
        v128.store(out, v128.load(src, 16), 16);
        src += step;
      }
    } else {
      for (let j = 0; j < NR; j++) {
        const out = dst + (<usize>j << 2);
        if (j < cols) {
          let src = b + (<usize>(pc * rowStride + (jc + jr + j) * colStride) << 2);
          const step = <usize>rowStride << 2;
          for (let p = 0; p < kc; p++) {
            store<f32>(out + (<usize>p << 5), load<f32>(src));
            src += step;
          }
        } else {
          for (let p = 0; p < kc; p++) store<f32>(out + (<usize>p << 5), 0);
        }
      }
    }
    dst += <usize>(kc * NR) << 2;
  }
}

/**
 * One row of a tile: added to what C holds when `accumulate`, then + bias (0 for none), + the
 * residual row (0 for none), then ReLU when `relu`.
 */
function storeRow(dst: usize, lo: v128, hi: v128, accumulate: bool, bias: usize, residual: usize, relu: bool): void {
  if (accumulate) {
    lo = f32x4.add(v128.load(dst), lo);
    hi = f32x4.add(v128.load(dst, 16), hi);
  }
  if (bias != 0) {
    lo = f32x4.add(lo, v128.load(bias));
    hi = f32x4.add(hi, v128.load(bias, 16));
  }
  if (residual != 0) {
    lo = f32x4.add(lo, v128.load(residual));
    hi = f32x4.add(hi, v128.load(residual, 16));
  }
  if (relu) {
    lo = f32x4.max(lo, f32x4.splat(0));
    hi = f32x4.max(hi, f32x4.splat(0));
  }
  v128.store(dst, lo);
  v128.store(dst, hi, 16);
}

/**
 * One MR×NR tile of C from packed panels; partial edge tiles go through `tile` scratch. The epilogue
 * (bias per column at `bias`, the residual tile laid out as C's at `residual`, 0 for none, and ReLU),
 * asked for on a tile's last depth block, is applied as the tile is stored.
 */
function microKernel(
  kc: i32, ap: usize, bp: usize, c: usize, ldc: i32, rows: i32, cols: i32, accumulate: bool, tile: usize,
  bias: usize, residual: usize, relu: bool,
): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(ap, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(ap, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    ap += MR << 2;
    bp += NR << 2;
  }
  const full = rows == MR && cols == NR;
  const target = full ? c : tile;
  const stride: usize = full ? <usize>ldc << 2 : NR << 2;
  const add = full && accumulate;
  const rowBias = full ? bias : 0;
  const rowResidual = full ? residual : 0;
  const rowRelu = full && relu;
  storeRow(target, c00, c01, add, rowBias, rowResidual, rowRelu);
  storeRow(target + stride, c10, c11, add, rowBias, rowResidual != 0 ? rowResidual + stride : 0, rowRelu);
  storeRow(target + 2 * stride, c20, c21, add, rowBias, rowResidual != 0 ? rowResidual + 2 * stride : 0, rowRelu);
  storeRow(target + 3 * stride, c30, c31, add, rowBias, rowResidual != 0 ? rowResidual + 3 * stride : 0, rowRelu);
  if (full) return;
  for (let i = 0; i < rows; i++) {
    const dst = c + (<usize>(i * ldc) << 2);
    const src = tile + (<usize>(i * NR) << 2);
    for (let j = 0; j < cols; j++) {
      const at = dst + (<usize>j << 2);
      const value = load<f32>(src + (<usize>j << 2));
      store<f32>(at, accumulate ? load<f32>(at) + value : value);
    }
  }
  if (bias != 0 || relu || residual != 0) tileEpilogue(c, ldc, rows, cols, bias, residual, relu);
}

/**
 * Adds the bias (per column; 0 for none) and the residual (laid out as C; 0 for none) to a rows×cols
 * tile of C, then clamps it at 0 when `relu`.
 */
function tileEpilogue(c: usize, ldc: i32, rows: i32, cols: i32, bias: usize, residual: usize, relu: bool): void {
  const zero = f32x4.splat(0);
  const whole = cols & ~3;
  for (let i = 0; i < rows; i++) {
    const rowAt = <usize>(i * ldc) << 2;
    const row = c + rowAt;
    const residualRow = residual + rowAt;
    let j = 0;
    for (; j < whole; j += 4) {
      const at = <usize>j << 2;
      let v = v128.load(row + at);
      if (bias != 0) v = f32x4.add(v, v128.load(bias + at));
      if (residual != 0) v = f32x4.add(v, v128.load(residualRow + at));
      if (relu) v = f32x4.max(v, zero);
      v128.store(row + at, v);
    }
    for (; j < cols; j++) {
      const at = <usize>j << 2;
      let value = load<f32>(row + at);
      if (bias != 0) value += load<f32>(bias + at);
      if (residual != 0) value += load<f32>(residualRow + at);
      if (relu) value = max<f32>(value, 0);
      store<f32>(row + at, value);
    }
  }
}
