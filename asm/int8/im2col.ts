// Int8 NHWC activations → int16 GEMM rows with the zero point already subtracted, so padding is a
// plain 0 and the GEMM needs no zero-point correction; (x − zp) lies in [−255, 255], which int16
// holds exactly. Each row is zero-filled up to `depth` (a multiple of 8 for the SIMD dot product).

/**
 * One row per output pixel of a stride-1 conv over one image: row (oy·outWidth + ox) holds the
 * kh×kw×channels patch at (oy − padTop, ox − padLeft) in (ky, kx, c) order — the order of an HWIO
 * kernel flattened per output channel.
 */
export function im2colS8(
  x: usize, height: i32, width: i32, channels: i32, zeroPoint: i32,
  kernelH: i32, kernelW: i32, padTop: i32, padLeft: i32, outHeight: i32, outWidth: i32,
  depth: i32, cols: usize,
): void {
  const patch = kernelH * kernelW * channels;
  for (let oy = 0; oy < outHeight; oy++) {
    for (let ox = 0; ox < outWidth; ox++) {
      let dst = cols + (<usize>((oy * outWidth + ox) * depth) << 1);
      for (let ky = 0; ky < kernelH; ky++) {
        const iy = oy - padTop + ky;
        for (let kx = 0; kx < kernelW; kx++) {
          const ix = ox - padLeft + kx;
          if (iy < 0 || iy >= height || ix < 0 || ix >= width) {
            memory.fill(dst, 0, <usize>channels << 1);
          } else {
            const src = x + <usize>((iy * width + ix) * channels);
            for (let c = 0; c < channels; c++) store<i16>(dst + (<usize>c << 1), <i16>(<i32>load<i8>(src + c) - zeroPoint));
          }
          dst += <usize>channels << 1;
        }
      }
      memory.fill(dst, 0, <usize>(depth - patch) << 1);
    }
  }
}
