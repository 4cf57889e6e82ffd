// Max pooling on int8 NHWC: the maximum commutes with an increasing affine map, so pooling the
// quantised values is exact and the output keeps the input's scale and zero point.

/** `pool`×`pool` windows, stride `pool`, no padding (Keras 'valid'), sixteen channels per i8x16.max_s. */
export function maxPoolS8(x: usize, height: i32, width: i32, channels: i32, pool: i32, out: usize): void {
  const outHeight = height / pool;
  const outWidth = width / pool;
  for (let oy = 0; oy < outHeight; oy++) {
    for (let ox = 0; ox < outWidth; ox++) {
      const dst = out + <usize>((oy * outWidth + ox) * channels);
      let c = 0;
      for (; c + 16 <= channels; c += 16) {
        let best = i8x16.splat(-128);
        for (let py = 0; py < pool; py++) {
          for (let px = 0; px < pool; px++) {
            best = i8x16.max_s(best, v128.load(x + <usize>(((oy * pool + py) * width + ox * pool + px) * channels + c)));
          }
        }
        v128.store(dst + c, best);
      }
      for (; c < channels; c++) {
        let best: i32 = -128;
        for (let py = 0; py < pool; py++) {
          for (let px = 0; px < pool; px++) {
            const v = <i32>load<i8>(x + <usize>(((oy * pool + py) * width + ox * pool + px) * channels + c));
            if (v > best) best = v;
          }
        }
        store<i8>(dst + c, <i8>best);
      }
    }
  }
}

// Averaging commutes with the affine map too, so the mean of the quantised values is the quantised
// mean (rounded to the nearest step as Math.round does, halves upwards) at the input's scale and zero point.

/** Mean over all `pixels` positions of each of `channels` NHWC channels → one int8 per channel. */
export function globalAveragePoolS8(x: usize, pixels: i32, channels: i32, out: usize): void {
  for (let c = 0; c < channels; c++) {
    let sum: i32 = 0;
    for (let p = 0; p < pixels; p++) sum += <i32>load<i8>(x + <usize>(p * channels + c));
    store<i8>(out + <usize>c, <i8>(<i32>Math.round(<f64>sum / <f64>pixels)));
  }
}
