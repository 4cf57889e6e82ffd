// NHWC pooling, forward and backward, four channels per step. Windows are clipped to the input:
// padded cells never win a max and are not counted in an average (the contract's Pool2DInfo rule);
// an empty window yields 0. NaN wins a max, and the gradient of a max goes to the window's first
// maximum (its first NaN, if any), as in the reference backend.

/** `lanes` (1–4) floats at p, zeros in the remaining lanes: channel tails never read past a buffer. */
function loadChannels(p: usize, lanes: i32): v128 {
  if (lanes == 4) return v128.load(p);
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (lanes > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (lanes > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

function storeChannels(p: usize, v: v128, lanes: i32): void {
  if (lanes == 4) {
    v128.store(p, v);
    return;
  }
  v128.store32_lane(p, v, 0);
  if (lanes > 1) v128.store32_lane(p, v, 1, 4);
  if (lanes > 2) v128.store32_lane(p, v, 2, 8);
}

/** Lanes holding a window's maximum `m`, or NaN where `m` is NaN. */
function isMaximum(v: v128, m: v128): v128 {
  return v128.or(f32x4.eq(v, m), v128.and(f32x4.ne(v, v), f32x4.ne(m, m)));
}

/**
 * One 2×2 max window at `x` (cells x, x+pixel, x+row, x+row+pixel): forward stores its maximum at
 * `out`; backward sends the gradient at `out` to the first maximum, storing (disjoint windows) or
 * adding it into `dx` at the same cells.
 */
function maxWindow2x2(backward: bool, disjoint: bool, masked: bool, x: usize, out: usize, dx: usize, channels: i32, pixelBytes: usize, rowBytes: usize): void {
  for (let c = 0; c < channels; c += 4) {
    const lanes = min(4, channels - c);
    const offset = <usize>c << 2;
    const a = x + offset;
    const v0 = loadChannels(a, lanes);
    const v1 = loadChannels(a + pixelBytes, lanes);
    const v2 = loadChannels(a + rowBytes, lanes);
    const v3 = loadChannels(a + rowBytes + pixelBytes, lanes);
    const m = f32x4.max(f32x4.max(v0, v1), f32x4.max(v2, v3));
    if (!backward) {
      storeChannels(out + offset, m, lanes);
      continue;
    }
    const g = loadChannels(out + offset, lanes);
    const hit0 = isMaximum(v0, m);
    const hit1 = v128.andnot(isMaximum(v1, m), hit0);
    let taken = v128.or(hit0, hit1);
    const hit2 = v128.andnot(isMaximum(v2, m), taken);
    taken = v128.or(taken, hit2);
    const hit3 = v128.andnot(isMaximum(v3, m), taken);
    const d = dx + offset;
    gradientTo(d, v128.and(g, inline.always(reluMask(masked, hit0, v0))), disjoint, lanes);
    gradientTo(d + pixelBytes, v128.and(g, inline.always(reluMask(masked, hit1, v1))), disjoint, lanes);
    gradientTo(d + rowBytes, v128.and(g, inline.always(reluMask(masked, hit2, v2))), disjoint, lanes);
    gradientTo(d + rowBytes + pixelBytes, v128.and(g, inline.always(reluMask(masked, hit3, v3))), disjoint, lanes);
  }
}

/**
 * `hit`, and where `masked` only the lanes whose input `x` is positive: the ReLU gradient of
 * asm/activation-grad.ts (dy AND x > 0) applied to each share of a cell, which adds up to it applied
 * to the cell's sum (a share is all of dy or +0).
 */
function reluMask(masked: bool, hit: v128, x: v128): v128 {
  return masked ? v128.and(hit, f32x4.gt(x, f32x4.splat(0))) : hit;
}

/** Stores `g` at p when no other window reaches p, else adds it to what is there. */
function gradientTo(p: usize, g: v128, disjoint: bool, lanes: i32): void {
  storeChannels(p, disjoint ? g : f32x4.add(loadChannels(p, lanes), g), lanes);
}

/**
 * Every output window of the pooling: forward writes y from x; backward adds dy (in y) into dx:
 * all of it at the first maximum for max pooling, an equal share on every counted cell for
 * average pooling.
 */
function poolWindows(
  backward: bool, isMax: bool, masked: bool, x: usize, y: usize, dx: usize, batch: i32, inHeight: i32, inWidth: i32, channels: i32,
  outHeight: i32, outWidth: i32, filterHeight: i32, filterWidth: i32,
  strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
): void {
  const pixelBytes = <usize>channels << 2;
  const rowBytes = <usize>inWidth * pixelBytes;
  // Windows that cannot share a cell store their gradient instead of adding it; when they also
  // tile the input exactly, every cell is stored once and nothing needs zeroing first.
  const disjoint = strideHeight >= filterHeight && strideWidth >= filterWidth;
  const tiles = disjoint && padTop == 0 && padLeft == 0 && outHeight * strideHeight == inHeight && outWidth * strideWidth == inWidth
    && strideHeight == filterHeight && strideWidth == filterWidth;
  let out = y;
  for (let n = 0; n < batch; n++) {
    const imageOffset = <usize>(n * inHeight) * rowBytes;
    // Each image's gradient is zeroed just before its windows write into it, while it is in cache.
    if (backward && !tiles) memory.fill(dx + imageOffset, 0, <usize>inHeight * rowBytes);
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = oy * strideHeight - padTop;
      const yBegin = max(y0, 0);
      const yEnd = min(y0 + filterHeight, inHeight);
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = ox * strideWidth - padLeft;
        const xBegin = max(x0, 0);
        const xEnd = min(x0 + filterWidth, inWidth);
        const count = max(yEnd - yBegin, 0) * max(xEnd - xBegin, 0);
        const first = imageOffset + <usize>yBegin * rowBytes + <usize>xBegin * pixelBytes;
        // The common 2×2 max window wholly inside the input, unrolled: the general loop below
        // spends more on its bounds than on the four loads.
        if (isMax && count == 4 && filterHeight == 2 && filterWidth == 2) {
          inline.always(maxWindow2x2(backward, disjoint, masked, x + first, out, dx + first, channels, pixelBytes, rowBytes));
          out += pixelBytes;
          continue;
        }
        for (let c = 0; c < channels; c += 4) {
          const lanes = min(4, channels - c);
          const channel = first + (<usize>c << 2);
          const target = out + (<usize>c << 2);
          if (count == 0) {
            if (!backward) storeChannels(target, f32x4.splat(0), lanes);
            continue;
          }
          let acc = isMax ? f32x4.splat(-Infinity) : f32x4.splat(0);
          if (isMax || !backward) {
            for (let iy = yBegin; iy < yEnd; iy++) {
              let cell = channel + <usize>(iy - yBegin) * rowBytes;
              for (let ix = xBegin; ix < xEnd; ix++) {
                const v = loadChannels(x + cell, lanes);
                acc = isMax ? f32x4.max(acc, v) : f32x4.add(acc, v);
                cell += pixelBytes;
              }
            }
          }
          if (!backward) {
            storeChannels(target, isMax ? acc : f32x4.div(acc, f32x4.splat(<f32>count)), lanes);
            continue;
          }
          const g = loadChannels(target, lanes);
          const share = f32x4.div(g, f32x4.splat(<f32>count));
          let taken = i32x4.splat(0);
          for (let iy = yBegin; iy < yEnd; iy++) {
            let cell = channel + <usize>(iy - yBegin) * rowBytes;
            for (let ix = xBegin; ix < xEnd; ix++) {
              let add = share;
              if (isMax) {
                const v = loadChannels(x + cell, lanes);
                const hit = v128.andnot(isMaximum(v, acc), taken);
                taken = v128.or(taken, hit);
                add = v128.and(g, inline.always(reluMask(masked, hit, v)));
              }
              storeChannels(dx + cell, disjoint ? add : f32x4.add(loadChannels(dx + cell, lanes), add), lanes);
              cell += pixelBytes;
            }
          }
        }
        out += pixelBytes;
      }
    }
  }
}

export function pool2d(
  isMax: bool, x: usize, out: usize, batch: i32, inHeight: i32, inWidth: i32, channels: i32,
  outHeight: i32, outWidth: i32, filterHeight: i32, filterWidth: i32,
  strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
): void {
  // Inlined with constant flags, so each mode gets a loop without the other modes' branches.
  if (isMax) {
    inline.always(poolWindows(false, true, false, x, out, 0, batch, inHeight, inWidth, channels, outHeight, outWidth, filterHeight, filterWidth,
      strideHeight, strideWidth, padTop, padLeft));
  } else {
    inline.always(poolWindows(false, false, false, x, out, 0, batch, inHeight, inWidth, channels, outHeight, outWidth, filterHeight, filterWidth,
      strideHeight, strideWidth, padTop, padLeft));
  }
}

/**
 * The gradient of pooling: mode 0 average, 1 max, 2 max over the output of a ReLU, masked by its
 * gradient (activationGrad relu with x as y) in the same pass.
 */
export function pool2dBackward(
  mode: i32, dy: usize, x: usize, dx: usize, batch: i32, inHeight: i32, inWidth: i32, channels: i32,
  outHeight: i32, outWidth: i32, filterHeight: i32, filterWidth: i32,
  strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
): void {
  if (mode == 2) {
    inline.always(poolWindows(true, true, true, x, dy, dx, batch, inHeight, inWidth, channels, outHeight, outWidth, filterHeight, filterWidth,
      strideHeight, strideWidth, padTop, padLeft));
  } else if (mode == 1) {
    inline.always(poolWindows(true, true, false, x, dy, dx, batch, inHeight, inWidth, channels, outHeight, outWidth, filterHeight, filterWidth,
      strideHeight, strideWidth, padTop, padLeft));
  } else {
    inline.always(poolWindows(true, false, false, x, dy, dx, batch, inHeight, inWidth, channels, outHeight, outWidth, filterHeight, filterWidth,
      strideHeight, strideWidth, padTop, padLeft));
  }
}
