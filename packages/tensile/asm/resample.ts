// Resizing a float32 [height, width] gray image, step for step as src/backend/resample.ts specifies
// (the reference backend's kernel), in two phases a thread each can take a range of: source rows
// along x with float64 sums stored as float32 into `rows` (height·outWidth floats), then output rows
// along y accumulating in float32 with each `acc + w·v` done in float64. Taps are per output index:
// `start`/`count` int32 arrays and `maxTaps` float32 weights each. With `uint8` the accumulator starts
// at ½ and the result is truncated modulo 256. SIMD runs across rows or pixels only (float64 lanes),
// never across the terms of one sum, so every value is the scalar recipe's.

/**
 * Source rows [rowStart, rowEnd) resampled along x into `rows`, four rows at a time in two pairs of
 * float64 lanes sharing each tap's weight; a last block of fewer rows repeats its last row.
 */
export function resampleRowsF32(
  image: usize, width: i32, outWidth: i32, start: usize, count: usize, weight: usize, maxTaps: i32,
  rows: usize, rowStart: i32, rowEnd: i32,
): void {
  const inRow = <usize>width << 2;
  const outRow = <usize>outWidth << 2;
  for (let y = rowStart; y < rowEnd; y += 4) {
    const line = image + <usize>y * inRow;
    const outLine = rows + <usize>y * outRow;
    // Rows of the block after the first, as row counts from it (past the range: the last row again).
    const last = rowEnd - 1 - y;
    const r1 = <usize>min(1, last), r2 = <usize>min(2, last), r3 = <usize>min(3, last);
    for (let i = 0; i < outWidth; i++) {
      const first = line + (<usize>load<i32>(start + (<usize>i << 2)) << 2);
      const n = load<i32>(count + (<usize>i << 2));
      const w = weight + (<usize>(i * maxTaps) << 2);
      let low = f64x2.splat(0);
      let high = f64x2.splat(0);
      for (let k = 0; k < n; k++) {
        const at = first + (<usize>k << 2);
        const wk = f64x2.splat(<f64>load<f32>(w + (<usize>k << 2)));
        low = f64x2.add(low, f64x2.mul(wk, f64x2.promote_low_f32x4(v128.load32_lane(at + r1 * inRow, v128.load32_zero(at), 1))));
        high = f64x2.add(high, f64x2.mul(wk, f64x2.promote_low_f32x4(v128.load32_lane(at + r3 * inRow, v128.load32_zero(at + r2 * inRow), 1))));
      }
      const lo = f32x4.demote_f64x2_zero(low);
      const hi = f32x4.demote_f64x2_zero(high);
      const column = outLine + (<usize>i << 2);
      // Repeated rows hold the same value, so the order of these stores does not matter.
      v128.store32_lane(column + r3 * outRow, hi, 1);
      v128.store32_lane(column + r2 * outRow, hi, 0);
      v128.store32_lane(column + r1 * outRow, lo, 1);
      v128.store32_lane(column, lo, 0);
    }
  }
}

/** 8-bit store of a float32 value, as a Uint8Array assignment does it (truncation modulo 256; asc truncates saturating). */
function toUint8(v: f32): f32 {
  return <f32>(<i32>v & 255);
}

/** Output rows [rowStart, rowEnd) summed along y from `rows`, four pixels at a time (two pairs of float64 lanes). */
export function resampleColumnsF32(
  rows: usize, outWidth: i32, start: usize, count: usize, weight: usize, maxTaps: i32,
  uint8: bool, out: usize, rowStart: i32, rowEnd: i32,
): void {
  const rounding: f64 = uint8 ? 0.5 : 0;
  const rowBytes = <usize>outWidth << 2;
  const quads = outWidth & ~3;
  for (let y = rowStart; y < rowEnd; y++) {
    const first = rows + <usize>load<i32>(start + (<usize>y << 2)) * rowBytes;
    const n = load<i32>(count + (<usize>y << 2));
    const w = weight + (<usize>(y * maxTaps) << 2);
    const outRow = out + <usize>y * rowBytes;
    for (let i = 0; i < quads; i += 4) {
      let low = f64x2.splat(rounding);
      let high = f64x2.splat(rounding);
      for (let k = 0; k < n; k++) {
        const v = v128.load(first + <usize>k * rowBytes + (<usize>i << 2));
        const wk = f64x2.splat(<f64>load<f32>(w + (<usize>k << 2)));
        low = f64x2.add(low, f64x2.mul(wk, f64x2.promote_low_f32x4(v)));
        high = f64x2.add(high, f64x2.mul(wk, f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1))));
        low = f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(low));
        high = f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(high));
      }
      let result = v128.shuffle<f32>(f32x4.demote_f64x2_zero(low), f32x4.demote_f64x2_zero(high), 0, 1, 4, 5);
      if (uint8) result = f32x4.convert_i32x4_s(v128.and(i32x4.trunc_sat_f32x4_s(result), i32x4.splat(255)));
      v128.store(outRow + (<usize>i << 2), result);
    }
    for (let i = quads; i < outWidth; i++) {
      let acc = <f32>rounding;
      for (let k = 0; k < n; k++) acc = <f32>(<f64>acc + <f64>load<f32>(w + (<usize>k << 2)) * <f64>load<f32>(first + <usize>k * rowBytes + (<usize>i << 2)));
      store<f32>(outRow + (<usize>i << 2), uint8 ? toUint8(acc) : acc);
    }
  }
}
