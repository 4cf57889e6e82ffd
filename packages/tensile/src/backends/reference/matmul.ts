/** Matrix products of the reference backend: row-major, k-blocked i-k-j loops with a float64 row accumulator. */
import type { MatMulInfo } from '../../backend/contract.js';
import type { DType, TypedArray } from '../../tensor/dtype.js';
import { allocArray } from '../../tensor/dtype.js';

const BLOCK_K = 128;

/** c[m,n] (+)= a[m,k] · b[k,n], all contiguous. `c` is written, not accumulated into, when `accumulate` is false. */
export function gemm(a: ArrayLike<number>, b: ArrayLike<number>, c: TypedArray, m: number, n: number, k: number, accumulate = false): void {
  const row = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    if (accumulate) for (let j = 0; j < n; j++) row[j] = c[i * n + j]!;
    else row.fill(0);
    for (let k0 = 0; k0 < k; k0 += BLOCK_K) {
      const k1 = Math.min(k, k0 + BLOCK_K);
      for (let p = k0; p < k1; p++) {
        const aip = a[i * k + p]!;
        if (aip === 0) continue;
        const bo = p * n;
        for (let j = 0; j < n; j++) row[j]! += aip * b[bo + j]!;
      }
    }
    for (let j = 0; j < n; j++) c[i * n + j] = row[j]!;
  }
}

/** Copies a [rows, cols] block stored at `offset` as its transpose [cols, rows]. */
export function transposed(x: TypedArray, offset: number, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = x[offset + r * cols + c]!;
  return out;
}

export function matmul(a: TypedArray, b: TypedArray, info: MatMulInfo, dtype: DType): TypedArray {
  const { batch, m, n, k, transposeA, transposeB, aBatchStride, bBatchStride } = info;
  const out = allocArray(dtype, batch * m * n);
  const c = allocArray(dtype, m * n);
  for (let t = 0; t < batch; t++) {
    const aOff = t * aBatchStride;
    const bOff = t * bBatchStride;
    const am = transposeA ? transposed(a, aOff, k, m) : a.subarray(aOff, aOff + m * k);
    const bm = transposeB ? transposed(b, bOff, n, k) : b.subarray(bOff, bOff + k * n);
    gemm(am, bm, c, m, n, k);
    out.set(c, t * m * n);
  }
  return out;
}
