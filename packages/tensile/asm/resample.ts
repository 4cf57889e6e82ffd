// Resizing a float32 [height, width] gray image, step for step as src/backend/resample.ts specifies
// (the reference backend's kernel): rows along x with float64 sums stored as float32, then columns
// along y accumulating in float32 with each `acc + w·v` done in float64. Taps are per output index:
// `start`/`count` int32 arrays and `maxTaps` float32 weights each. `rows` is height·outWidth floats of
// scratch. With `uint8` the accumulator starts at ½ and the result is truncated modulo 256.

/**
 * out[i] = Σ_k w_ik · line[start_i + k] over one row (float64 sums). Every output runs all `maxTaps`
 * taps, the unused ones weighing 0 at a clamped index: adding +0 leaves a sum of finite pixels as it
 * is, and a fixed trip count spares a mispredicted branch per pixel.
 */
function resampleLine(line: usize, outLine: usize, outWidth: i32, width: i32, start: usize, weight: usize, maxTaps: i32): void {
  const last = line + (<usize>(width - 1) << 2);
  for (let i = 0; i < outWidth; i++) {
    const first = line + (<usize>load<i32>(start + (<usize>i << 2)) << 2);
    const w = weight + (<usize>(i * maxTaps) << 2);
    let sum: f64 = 0;
    for (let k = 0; k < maxTaps; k++) sum += <f64>load<f32>(w + (<usize>k << 2)) * <f64>load<f32>(min(first + (<usize>k << 2), last));
    store<f32>(outLine + (<usize>i << 2), <f32>sum);
  }
}

/** 8-bit store of a float32 value, as a Uint8Array assignment does it (truncation modulo 256; asc truncates saturating). */
function toUint8(v: f32): f32 {
  return <f32>(<i32>v & 255);
}

export function resizeGrayF32(
  image: usize, height: i32, width: i32, outHeight: i32, outWidth: i32,
  xStart: usize, xCount: usize, xWeight: usize, xTaps: i32,
  yStart: usize, yCount: usize, yWeight: usize, yTaps: i32,
  rows: usize, uint8: bool, out: usize,
): void {
  for (let y = 0; y < height; y++) {
    resampleLine(image + (<usize>(y * width) << 2), rows + (<usize>(y * outWidth) << 2), outWidth, width, xStart, xWeight, xTaps);
  }
  const rounding: f64 = uint8 ? 0.5 : 0;
  const rowBytes = <usize>outWidth << 2;
  const pairs = outWidth & ~1;
  for (let y = 0; y < outHeight; y++) {
    const first = rows + <usize>load<i32>(yStart + (<usize>y << 2)) * rowBytes;
    const n = load<i32>(yCount + (<usize>y << 2));
    const w = yWeight + (<usize>(y * yTaps) << 2);
    const outRow = out + <usize>y * rowBytes;
    // Two pixels at a time in float64 lanes: the same operations per pixel as the scalar tail.
    for (let i = 0; i < pairs; i += 2) {
      let acc = f64x2.splat(rounding);
      for (let k = 0; k < n; k++) {
        const v = f64x2.promote_low_f32x4(v128.load64_zero(first + <usize>k * rowBytes + (<usize>i << 2)));
        acc = f64x2.add(acc, f64x2.mul(f64x2.splat(<f64>load<f32>(w + (<usize>k << 2))), v));
        acc = f64x2.promote_low_f32x4(f32x4.demote_f64x2_zero(acc));
      }
      let result = f32x4.demote_f64x2_zero(acc);
      if (uint8) result = f32x4.convert_i32x4_s(v128.and(i32x4.trunc_sat_f32x4_s(result), i32x4.splat(255)));
      v128.store64_lane(outRow + (<usize>i << 2), result, 0);
    }
    for (let i = pairs; i < outWidth; i++) {
      let acc = <f32>rounding;
      for (let k = 0; k < n; k++) acc = <f32>(<f64>acc + <f64>load<f32>(w + (<usize>k << 2)) * <f64>load<f32>(first + <usize>k * rowBytes + (<usize>i << 2)));
      store<f32>(outRow + (<usize>i << 2), uint8 ? toUint8(acc) : acc);
    }
  }
}
