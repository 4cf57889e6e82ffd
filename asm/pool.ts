// NHWC pooling. Windows are clipped to the input: padded cells never win a max and are not
// counted in an average (the contract's Pool2DInfo rule); an empty window yields 0 and NaN wins a max.

function windowStart(o: i32, stride: i32, pad: i32): i32 {
  return o * stride - pad;
}

export function pool2d(
  isMax: bool, x: usize, out: usize, batch: i32, inHeight: i32, inWidth: i32, channels: i32,
  outHeight: i32, outWidth: i32, filterHeight: i32, filterWidth: i32,
  strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
): void {
  let dst = out;
  for (let n = 0; n < batch; n++) {
    const image = x + (<usize>(n * inHeight * inWidth * channels) << 2);
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = windowStart(oy, strideHeight, padTop);
      const yBegin = max(y0, 0);
      const yEnd = min(y0 + filterHeight, inHeight);
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = windowStart(ox, strideWidth, padLeft);
        const xBegin = max(x0, 0);
        const xEnd = min(x0 + filterWidth, inWidth);
        const count = <f32>(max(yEnd - yBegin, 0) * max(xEnd - xBegin, 0));
        let c = 0;
        for (; c + 4 <= channels; c += 4) {
          let acc = f32x4.splat(isMax ? -Infinity : 0);
          for (let iy = yBegin; iy < yEnd; iy++) {
            for (let ix = xBegin; ix < xEnd; ix++) {
              const v = v128.load(image + (<usize>((iy * inWidth + ix) * channels + c) << 2));
              acc = isMax ? f32x4.max(acc, v) : f32x4.add(acc, v);
            }
          }
          if (count == 0) acc = f32x4.splat(0);
          else if (!isMax) acc = f32x4.div(acc, f32x4.splat(count));
          v128.store(dst + (<usize>c << 2), acc);
        }
        for (; c < channels; c++) {
          let acc: f32 = isMax ? -Infinity : 0;
          for (let iy = yBegin; iy < yEnd; iy++) {
            for (let ix = xBegin; ix < xEnd; ix++) {
              const v = load<f32>(image + (<usize>((iy * inWidth + ix) * channels + c) << 2));
              acc = isMax ? max<f32>(acc, v) : acc + v;
            }
          }
          if (count == 0) acc = 0;
          else if (!isMax) acc /= count;
          store<f32>(dst + (<usize>c << 2), acc);
        }
        dst += <usize>channels << 2;
      }
    }
  }
}

/**
 * dx (zeroed by the caller) receives dy: the whole of it at each window's first maximum for max
 * pooling, an equal share on every counted cell for average pooling.
 */
export function pool2dBackward(
  isMax: bool, dy: usize, x: usize, dx: usize, batch: i32, inHeight: i32, inWidth: i32, channels: i32,
  outHeight: i32, outWidth: i32, filterHeight: i32, filterWidth: i32,
  strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
): void {
  let grad = dy;
  for (let n = 0; n < batch; n++) {
    const imageOffset = <usize>(n * inHeight * inWidth * channels) << 2;
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = windowStart(oy, strideHeight, padTop);
      const yBegin = max(y0, 0);
      const yEnd = min(y0 + filterHeight, inHeight);
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = windowStart(ox, strideWidth, padLeft);
        const xBegin = max(x0, 0);
        const xEnd = min(x0 + filterWidth, inWidth);
        const count = max(yEnd - yBegin, 0) * max(xEnd - xBegin, 0);
        for (let c = 0; c < channels; c++) {
          const g = load<f32>(grad + (<usize>c << 2));
          if (isMax) {
            let best: f32 = -Infinity;
            let bestAt: usize = 0;
            let found = false;
            for (let iy = yBegin; iy < yEnd; iy++) {
              for (let ix = xBegin; ix < xEnd; ix++) {
                const at = imageOffset + (<usize>((iy * inWidth + ix) * channels + c) << 2);
                const v = load<f32>(x + at);
                if (!found || v > best || (isNaN(v) && !isNaN(best))) {
                  best = v;
                  bestAt = at;
                  found = true;
                }
              }
            }
            if (found) store<f32>(dx + bestAt, load<f32>(dx + bestAt) + g);
          } else if (count > 0) {
            const share = g / <f32>count;
            for (let iy = yBegin; iy < yEnd; iy++) {
              for (let ix = xBegin; ix < xEnd; ix++) {
                const at = dx + imageOffset + (<usize>((iy * inWidth + ix) * channels + c) << 2);
                store<f32>(at, load<f32>(at) + share);
              }
            }
          }
        }
        grad += <usize>channels << 2;
      }
    }
  }
}
