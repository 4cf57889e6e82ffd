// Patch (im2col) gather and its adjoint for convolution as GEMM. NHWC input: the channels of one
// pixel are adjacent, so every filter tap copies one contiguous run of `channels` floats.

function field(task: usize, index: i32): i32 {
  return load<i32>(task + (<usize>index << 2));
}

/**
 * Rows [rowStart,rowEnd) of the patch matrix: one row per output pixel (n, oy, ox), laid out
 * (ky, kx, c) to match HWIO filters; taps in the padding are zero. The task block holds, as i32:
 * x, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight,
 * strideWidth, dilationHeight, dilationWidth, padTop, padLeft, channelStart, channels, dst,
 * rowStart, rowEnd.
 */
export function im2colTask(task: usize): void {
  const x = <usize>field(task, 0);
  const inHeight = field(task, 1);
  const inWidth = field(task, 2);
  const inChannels = field(task, 3);
  const outHeight = field(task, 4);
  const outWidth = field(task, 5);
  const filterHeight = field(task, 6);
  const filterWidth = field(task, 7);
  const strideHeight = field(task, 8);
  const strideWidth = field(task, 9);
  const dilationHeight = field(task, 10);
  const dilationWidth = field(task, 11);
  const padTop = field(task, 12);
  const padLeft = field(task, 13);
  const channelStart = field(task, 14);
  const channels = field(task, 15);
  const dst = <usize>field(task, 16);
  const rowStart = field(task, 17);
  const rowEnd = field(task, 18);
  const runBytes = <usize>channels << 2;
  const pixels = outHeight * outWidth;
  let out = dst + <usize>rowStart * (<usize>(filterHeight * filterWidth) * runBytes);
  for (let row = rowStart; row < rowEnd; row++) {
    const n = row / pixels;
    const rest = row - n * pixels;
    const oy = rest / outWidth;
    const ox = rest - oy * outWidth;
    const image = x + (<usize>(n * inHeight * inWidth * inChannels + channelStart) << 2);
    for (let ky = 0; ky < filterHeight; ky++) {
      const iy = oy * strideHeight - padTop + ky * dilationHeight;
      const rowInside = iy >= 0 && iy < inHeight;
      for (let kx = 0; kx < filterWidth; kx++) {
        const ix = ox * strideWidth - padLeft + kx * dilationWidth;
        if (rowInside && ix >= 0 && ix < inWidth) {
          const src = image + (<usize>((iy * inWidth + ix) * inChannels) << 2);
          if (channels == 1) store<f32>(out, load<f32>(src));
          else memory.copy(out, src, runBytes);
        } else {
          memory.fill(out, 0, runBytes);
        }
        out += runBytes;
      }
    }
  }
}

/** The adjoint of im2col: adds every patch row back into `dx` (which the caller zeroed). */
export function col2im(
  cols: usize, inHeight: i32, inWidth: i32, inChannels: i32, batch: i32, outHeight: i32, outWidth: i32,
  filterHeight: i32, filterWidth: i32, strideHeight: i32, strideWidth: i32,
  dilationHeight: i32, dilationWidth: i32, padTop: i32, padLeft: i32,
  channelStart: i32, channels: i32, dx: usize,
): void {
  const runBytes = <usize>channels << 2;
  let src = cols;
  for (let n = 0; n < batch; n++) {
    const image = dx + (<usize>(n * inHeight * inWidth * inChannels + channelStart) << 2);
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        for (let ky = 0; ky < filterHeight; ky++) {
          const iy = oy * strideHeight - padTop + ky * dilationHeight;
          const rowInside = iy >= 0 && iy < inHeight;
          for (let kx = 0; kx < filterWidth; kx++) {
            const ix = ox * strideWidth - padLeft + kx * dilationWidth;
            if (rowInside && ix >= 0 && ix < inWidth) {
              addInto(image + (<usize>((iy * inWidth + ix) * inChannels) << 2), src, channels);
            }
            src += runBytes;
          }
        }
      }
    }
  }
}

/** dst[0..n) += src[0..n). */
export function addInto(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = dst + (<usize>i << 2);
    v128.store(at, f32x4.add(v128.load(at), v128.load(src + (<usize>i << 2))));
  }
  for (; i < n; i++) {
    const at = dst + (<usize>i << 2);
    store<f32>(at, load<f32>(at) + load<f32>(src + (<usize>i << 2)));
  }
}
