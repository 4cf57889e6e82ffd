// Int8 NHWC activations → int16 GEMM rows with the zero point already subtracted, so padding is a
// plain 0 and the GEMM needs no zero-point correction; (x − zp) lies in [−255, 255], which int16
// holds exactly. Each row is zero-filled up to `depth` (a multiple of 8 for the SIMD dot product).

/** `count` int8 values at src → int16 (x − zeroPoint) at dst, eight per step where they fit. */
function widenRun(src: usize, count: i32, zeroPoint: i32, dst: usize): void {
  const zero = i16x8.splat(<i16>zeroPoint);
  let i = 0;
  for (; i + 8 <= count; i += 8) {
    v128.store(dst + (<usize>i << 1), i16x8.sub(i16x8.extend_low_i8x16_s(v128.load64_zero(src + i)), zero));
  }
  for (; i < count; i++) store<i16>(dst + (<usize>i << 1), <i16>(<i32>load<i8>(src + i) - zeroPoint));
}

/**
 * One row per output pixel of a stride-1 conv over one image: row (oy·outWidth + ox) holds the
 * kh×kw×channels patch at (oy − padTop, ox − padLeft) in (ky, kx, c) order — the order of an HWIO
 * kernel flattened per output channel. A filter row lying inside the image is kw·channels adjacent
 * bytes and is widened in one run.
 */
export function im2colS8(
  x: usize, height: i32, width: i32, channels: i32, zeroPoint: i32,
  kernelH: i32, kernelW: i32, padTop: i32, padLeft: i32, outHeight: i32, outWidth: i32,
  depth: i32, cols: usize,
): void {
  const patch = kernelH * kernelW * channels;
  const run = kernelW * channels;
  for (let oy = 0; oy < outHeight; oy++) {
    for (let ox = 0; ox < outWidth; ox++) {
      let dst = cols + (<usize>((oy * outWidth + ox) * depth) << 1);
      const ix0 = ox - padLeft;
      for (let ky = 0; ky < kernelH; ky++) {
        const iy = oy - padTop + ky;
        if (iy < 0 || iy >= height) {
          memory.fill(dst, 0, <usize>run << 1);
        } else if (ix0 >= 0 && ix0 + kernelW <= width) {
          widenRun(x + <usize>((iy * width + ix0) * channels), run, zeroPoint, dst);
        } else {
          for (let kx = 0; kx < kernelW; kx++) {
            const ix = ix0 + kx;
            const at = dst + (<usize>(kx * channels) << 1);
            if (ix < 0 || ix >= width) memory.fill(at, 0, <usize>channels << 1);
            else widenRun(x + <usize>((iy * width + ix) * channels), channels, zeroPoint, at);
          }
        }
        dst += <usize>run << 1;
      }
      memory.fill(dst, 0, <usize>(depth - patch) << 1);
    }
  }
}
