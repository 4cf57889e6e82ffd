// Patch (im2col) gather and its adjoint (col2im) for convolution as GEMM. NHWC input: the channels
// of one pixel are adjacent, so every filter tap moves one contiguous run of `channels` floats.
// One-channel inputs (conv1ChannelRows) and depthwise convolutions (depthwiseConvRows) skip the patch matrix.
import { madd } from './simd';

function field(task: usize, index: i32): i32 {
  return load<i32>(task + (<usize>index << 2));
}

/** Fields of a patch task block (i32 each), in this order (the host reads the layout from the build). */
export enum PatchField {
  x, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth,
  dilationHeight, dilationWidth, padTop, padLeft, channelStart, channels, patches, rowStart, rowEnd, scatterAdd,
}

/**
 * Rows [rowStart,rowEnd) of the patch matrix: one row per output pixel (n, oy, ox), laid out
 * (ky, kx, c) to match HWIO filters. im2col (scatterAdd = 0) copies input taps into the rows, zero
 * for taps in the padding; col2im (scatterAdd ≠ 0) adds the rows back into the input gradient `x`
 * (zeroed by the caller) — its tasks must own whole images, since neighbouring pixels share taps.
 */
export function patchTask(task: usize): void {
  const x = <usize>field(task, PatchField.x);
  const inHeight = field(task, PatchField.inHeight);
  const inWidth = field(task, PatchField.inWidth);
  const inChannels = field(task, PatchField.inChannels);
  const outHeight = field(task, PatchField.outHeight);
  const outWidth = field(task, PatchField.outWidth);
  const filterHeight = field(task, PatchField.filterHeight);
  const filterWidth = field(task, PatchField.filterWidth);
  const strideHeight = field(task, PatchField.strideHeight);
  const strideWidth = field(task, PatchField.strideWidth);
  const dilationHeight = field(task, PatchField.dilationHeight);
  const dilationWidth = field(task, PatchField.dilationWidth);
  const padTop = field(task, PatchField.padTop);
  const padLeft = field(task, PatchField.padLeft);
  const channelStart = field(task, PatchField.channelStart);
  const channels = field(task, PatchField.channels);
  const patches = <usize>field(task, PatchField.patches);
  const rowStart = field(task, PatchField.rowStart);
  const rowEnd = field(task, PatchField.rowEnd);
  const gather = field(task, PatchField.scatterAdd) == 0;
  const runBytes = <usize>channels << 2;
  const pixels = outHeight * outWidth;
  let row = patches + <usize>rowStart * (<usize>(filterHeight * filterWidth) * runBytes);
  for (let r = rowStart; r < rowEnd; r++) {
    const n = r / pixels;
    const rest = r - n * pixels;
    const oy = rest / outWidth;
    const ox = rest - oy * outWidth;
    const image = x + (<usize>(n * inHeight * inWidth * inChannels + channelStart) << 2);
    const ix0 = ox * strideWidth - padLeft;
    // A filter row inside the image reads fw·channels adjacent floats when taps are adjacent pixels.
    const wholeRows = dilationWidth == 1 && channels == inChannels && ix0 >= 0 && ix0 + filterWidth <= inWidth;
    const rowFloats = filterWidth * channels;
    for (let ky = 0; ky < filterHeight; ky++) {
      const iy = oy * strideHeight - padTop + ky * dilationHeight;
      const rowInside = iy >= 0 && iy < inHeight;
      if (rowInside && wholeRows) {
        const pixel = image + (<usize>((iy * inWidth + ix0) * inChannels) << 2);
        if (gather) copyFloats(row, pixel, rowFloats);
        else addInto(pixel, row, rowFloats);
        row += <usize>rowFloats << 2;
        continue;
      }
      for (let kx = 0; kx < filterWidth; kx++) {
        const ix = ix0 + kx * dilationWidth;
        const inside = rowInside && ix >= 0 && ix < inWidth;
        const pixel = image + (<usize>((iy * inWidth + ix) * inChannels) << 2);
        if (!gather) {
          if (inside) addInto(pixel, row, channels);
        } else if (!inside) {
          memory.fill(row, 0, runBytes);
        } else {
          copyFloats(row, pixel, channels);
        }
        row += runBytes;
      }
    }
  }
}

/** dst[0..n) = src[0..n): short runs (a 1-channel filter row) by hand, where memory.copy's call costs more. */
function copyFloats(dst: usize, src: usize, n: i32): void {
  if (n >= 16) {
    memory.copy(dst, src, <usize>n << 2);
    return;
  }
  for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
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

/** Four output channels plus their bias (at `b + offset`; none when `bias` is 0), clamped at 0 when `relu`. */
function finish(acc: v128, b: usize, offset: usize, bias: usize, relu: bool): v128 {
  return reluIf(bias != 0 ? f32x4.add(acc, v128.load(b + offset)) : acc, relu);
}

function reluIf(v: v128, relu: bool): v128 {
  return relu ? f32x4.max(v, f32x4.splat(0)) : v;
}

/**
 * Direct convolution of a one-channel NHWC input (an image model's first layer, where im2col+GEMM
 * has a depth of only fh·fw): each output pixel is Σ over taps of the input value (0 in the
 * padding) times that tap's filter row, sixteen output channels per pass held in four registers.
 * Covers output pixels [rowStart, rowEnd); channels a multiple of 4 (the host checks).
 */
export function conv1ChannelRows(
  x: usize, inHeight: i32, inWidth: i32, outHeight: i32, outWidth: i32, filterHeight: i32, filterWidth: i32,
  strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32, filter: usize, channels: i32, out: usize,
  rowStart: i32, rowEnd: i32, bias: usize, relu: bool,
): void {
  const pixels = outHeight * outWidth;
  const filterRow = <usize>channels << 2;
  for (let r = rowStart; r < rowEnd; r++) {
    const n = r / pixels;
    const rest = r - n * pixels;
    const oy = rest / outWidth;
    const ox = rest - oy * outWidth;
    const image = x + (<usize>(n * inHeight * inWidth) << 2);
    const y0 = oy * strideHeight - padTop;
    const x0 = ox * strideWidth - padLeft;
    const dst = out + <usize>r * filterRow;
    const interior = y0 >= 0 && y0 + filterHeight <= inHeight && x0 >= 0 && x0 + filterWidth <= inWidth;
    if (interior && (channels & 15) == 0) {
      // Every tap inside the image: no bounds checks, one pass per sixteen channels.
      const first = image + (<usize>(y0 * inWidth + x0) << 2);
      for (let c = 0; c < channels; c += 16) {
        let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0), acc2 = f32x4.splat(0), acc3 = f32x4.splat(0);
        let w = filter + (<usize>c << 2);
        let line = first;
        for (let ky = 0; ky < filterHeight; ky++) {
          for (let kx = 0; kx < filterWidth; kx++) {
            const v = v128.load32_splat(line + (<usize>kx << 2));
            acc0 = madd(v, v128.load(w), acc0);
            acc1 = madd(v, v128.load(w, 16), acc1);
            acc2 = madd(v, v128.load(w, 32), acc2);
            acc3 = madd(v, v128.load(w, 48), acc3);
            w += filterRow;
          }
          line += <usize>inWidth << 2;
        }
        const at = dst + (<usize>c << 2);
        const b = bias + (<usize>c << 2);
        v128.store(at, finish(acc0, b, 0, bias, relu));
        v128.store(at, finish(acc1, b, 16, bias, relu), 16);
        v128.store(at, finish(acc2, b, 32, bias, relu), 32);
        v128.store(at, finish(acc3, b, 48, bias, relu), 48);
      }
      continue;
    }
    for (let c = 0; c < channels; c += 16) {
      const wide = channels - c >= 16;
      let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0), acc2 = f32x4.splat(0), acc3 = f32x4.splat(0);
      let w = filter + (<usize>c << 2);
      for (let ky = 0; ky < filterHeight; ky++) {
        const iy = y0 + ky;
        const rowInside = iy >= 0 && iy < inHeight;
        for (let kx = 0; kx < filterWidth; kx++) {
          const ix = x0 + kx;
          if (rowInside && ix >= 0 && ix < inWidth) {
            const v = v128.load32_splat(image + (<usize>(iy * inWidth + ix) << 2));
            acc0 = madd(v, v128.load(w), acc0);
            if (wide) {
              acc1 = madd(v, v128.load(w, 16), acc1);
              acc2 = madd(v, v128.load(w, 32), acc2);
              acc3 = madd(v, v128.load(w, 48), acc3);
            } else {
              if (channels - c > 4) acc1 = madd(v, v128.load(w, 16), acc1);
              if (channels - c > 8) acc2 = madd(v, v128.load(w, 32), acc2);
            }
          }
          w += filterRow;
        }
      }
      const at = dst + (<usize>c << 2);
      const b = bias + (<usize>c << 2);
      v128.store(at, finish(acc0, b, 0, bias, relu));
      if (channels - c > 4) v128.store(at, finish(acc1, b, 16, bias, relu), 16);
      if (channels - c > 8) v128.store(at, finish(acc2, b, 32, bias, relu), 32);
      if (wide) v128.store(at, finish(acc3, b, 48, bias, relu), 48);
    }
  }
}

/**
 * Direct depthwise convolution (groups = channels, one filter per channel), where im2col+GEMM would run
 * one depth-fh·fw product per channel: each output pixel starts from its bias (or 0) and adds, tap by
 * tap, the tap pixel's channels times that tap's filter row. Sixteen channels at a time stay in four
 * registers over all taps (the taps inside the image, found once per pixel), stored once with the ReLU.
 * Filter [fh, fw, 1, channels]. Same arguments as conv1ChannelRows; covers output pixels
 * [rowStart, rowEnd); channels a multiple of 4 and no dilation (the host checks).
 */
export function depthwiseConvRows(
  x: usize, inHeight: i32, inWidth: i32, outHeight: i32, outWidth: i32, filterHeight: i32, filterWidth: i32,
  strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32, filter: usize, channels: i32, out: usize,
  rowStart: i32, rowEnd: i32, bias: usize, relu: bool,
): void {
  const pixels = outHeight * outWidth;
  const pixelBytes = <usize>channels << 2;
  const wide = channels & ~15;
  for (let r = rowStart; r < rowEnd; r++) {
    const n = r / pixels;
    const rest = r - n * pixels;
    const oy = rest / outWidth;
    const ox = rest - oy * outWidth;
    const y0 = oy * strideHeight - padTop;
    const x0 = ox * strideWidth - padLeft;
    const kyStart = max<i32>(0, -y0);
    const kyEnd = min<i32>(filterHeight, inHeight - y0);
    const kxStart = max<i32>(0, -x0);
    const kxEnd = min<i32>(filterWidth, inWidth - x0);
    // Tap (ky, kx) reads x at first + ky·lineBytes + kx·pixelBytes and the filter at ky·filterLine + kx·pixelBytes.
    const first = x + <usize>((n * inHeight + y0) * inWidth + x0) * pixelBytes;
    const lineBytes = <usize>inWidth * pixelBytes;
    const filterLine = <usize>filterWidth * pixelBytes;
    const dst = out + <usize>r * pixelBytes;
    let c: usize = 0;
    for (; c < <usize>wide << 2; c += 64) {
      let acc0 = f32x4.splat(0), acc1 = f32x4.splat(0), acc2 = f32x4.splat(0), acc3 = f32x4.splat(0);
      if (bias != 0) {
        acc0 = v128.load(bias + c);
        acc1 = v128.load(bias + c, 16);
        acc2 = v128.load(bias + c, 32);
        acc3 = v128.load(bias + c, 48);
      }
      for (let ky = kyStart; ky < kyEnd; ky++) {
        for (let kx = kxStart; kx < kxEnd; kx++) {
          const tap = <usize>kx * pixelBytes + c;
          const src = first + <usize>ky * lineBytes + tap;
          const w = filter + <usize>ky * filterLine + tap;
          acc0 = madd(v128.load(src), v128.load(w), acc0);
          acc1 = madd(v128.load(src, 16), v128.load(w, 16), acc1);
          acc2 = madd(v128.load(src, 32), v128.load(w, 32), acc2);
          acc3 = madd(v128.load(src, 48), v128.load(w, 48), acc3);
        }
      }
      v128.store(dst + c, reluIf(acc0, relu));
      v128.store(dst + c, reluIf(acc1, relu), 16);
      v128.store(dst + c, reluIf(acc2, relu), 32);
      v128.store(dst + c, reluIf(acc3, relu), 48);
    }
    for (; c < pixelBytes; c += 16) {
      let acc = bias != 0 ? v128.load(bias + c) : f32x4.splat(0);
      for (let ky = kyStart; ky < kyEnd; ky++) {
        for (let kx = kxStart; kx < kxEnd; kx++) {
          const tap = <usize>kx * pixelBytes + c;
          acc = madd(v128.load(first + <usize>ky * lineBytes + tap), v128.load(filter + <usize>ky * filterLine + tap), acc);
        }
      }
      v128.store(dst + c, reluIf(acc, relu));
    }
  }
}

/**
 * Filter gradient of a one-channel NHWC convolution without a patch matrix: dW[tap, c] = Σ over
 * output pixels of the tap's input value times dy[pixel, c]. Each output row adds into the taps'
 * sixteen-channel accumulators while its dy row is in L1. Covers output channels
 * [channelStart, channelEnd), multiples of 4 (the host checks), so threads own disjoint columns of dw.
 */
export function conv1ChannelFilterGrad(
  x: usize, batch: i32, inHeight: i32, inWidth: i32, outHeight: i32, outWidth: i32, filterHeight: i32, filterWidth: i32,
  strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32, dy: usize, channels: i32, dw: usize,
  channelStart: i32, channelEnd: i32,
): void {
  const pixelBytes = <usize>channels << 2;
  for (let tap = 0; tap < filterHeight * filterWidth; tap++) {
    for (let c = channelStart; c < channelEnd; c += 4) v128.store(dw + <usize>tap * pixelBytes + (<usize>c << 2), f32x4.splat(0));
  }
  for (let n = 0; n < batch; n++) {
    const image = x + (<usize>(n * inHeight * inWidth) << 2);
    for (let oy = 0; oy < outHeight; oy++) {
      const dyRow = dy + <usize>((n * outHeight + oy) * outWidth) * pixelBytes;
      for (let ky = 0; ky < filterHeight; ky++) {
        const iy = oy * strideHeight - padTop + ky;
        if (iy < 0 || iy >= inHeight) continue;
        const line = image + (<usize>(iy * inWidth) << 2);
        for (let kx = 0; kx < filterWidth; kx++) {
          // Output columns whose tap lands inside the row: 0 ≤ ox·stride + shift < inWidth.
          const shift = kx - padLeft;
          const oxBegin = shift >= 0 ? 0 : (strideWidth - 1 - shift) / strideWidth;
          const oxEnd = min(outWidth, shift >= inWidth ? 0 : (inWidth - 1 - shift) / strideWidth + 1);
          const grad = dw + <usize>(ky * filterWidth + kx) * pixelBytes;
          let c = channelStart;
          for (; c + 16 <= channelEnd; c += 16) {
            const at = grad + (<usize>c << 2);
            let acc0 = v128.load(at), acc1 = v128.load(at, 16), acc2 = v128.load(at, 32), acc3 = v128.load(at, 48);
            for (let ox = oxBegin; ox < oxEnd; ox++) {
              const v = v128.load32_splat(line + (<usize>(ox * strideWidth + shift) << 2));
              const d = dyRow + <usize>ox * pixelBytes + (<usize>c << 2);
              acc0 = madd(v, v128.load(d), acc0);
              acc1 = madd(v, v128.load(d, 16), acc1);
              acc2 = madd(v, v128.load(d, 32), acc2);
              acc3 = madd(v, v128.load(d, 48), acc3);
            }
            v128.store(at, acc0);
            v128.store(at, acc1, 16);
            v128.store(at, acc2, 32);
            v128.store(at, acc3, 48);
          }
          for (; c < channelEnd; c += 4) {
            const at = grad + (<usize>c << 2);
            let acc = v128.load(at);
            for (let ox = oxBegin; ox < oxEnd; ox++) {
              const v = v128.load32_splat(line + (<usize>(ox * strideWidth + shift) << 2));
              acc = madd(v, v128.load(dyRow + <usize>ox * pixelBytes + (<usize>c << 2)), acc);
            }
            v128.store(at, acc);
          }
        }
      }
    }
  }
}
