// Int16×int16→int32 GEMM for int8 inference: rows of A (activations minus their zero point) times
// rows of W (one per output channel, int8 weights widened once at load), `i32x4.dot_i16x8_s` eight
// products per instruction. Four output channels share each A load. The epilogue requantises:
// q = clamp(round(acc·scale[j] + offset[j]), floor, 127), where scale folds input, weight and output
// scales and offset folds bias and output zero point; floor = the output zero point fuses ReLU.

function dot4(a: usize, w: usize, depth: i32, out: usize): void {
  let s0 = i32x4.splat(0);
  let s1 = i32x4.splat(0);
  let s2 = i32x4.splat(0);
  let s3 = i32x4.splat(0);
  const stride = <usize>depth << 1;
  for (let k = 0; k < depth; k += 8) {
    const offset = <usize>k << 1;
    const av = v128.load(a + offset);
    s0 = i32x4.add(s0, i32x4.dot_i16x8_s(av, v128.load(w + offset)));
    s1 = i32x4.add(s1, i32x4.dot_i16x8_s(av, v128.load(w + stride + offset)));
    s2 = i32x4.add(s2, i32x4.dot_i16x8_s(av, v128.load(w + 2 * stride + offset)));
    s3 = i32x4.add(s3, i32x4.dot_i16x8_s(av, v128.load(w + 3 * stride + offset)));
  }
  store<i32>(out, horizontalSum(s0));
  store<i32>(out, horizontalSum(s1), 4);
  store<i32>(out, horizontalSum(s2), 8);
  store<i32>(out, horizontalSum(s3), 12);
}

function dot1(a: usize, w: usize, depth: i32): i32 {
  let s = i32x4.splat(0);
  for (let k = 0; k < depth; k += 8) {
    const offset = <usize>k << 1;
    s = i32x4.add(s, i32x4.dot_i16x8_s(v128.load(a + offset), v128.load(w + offset)));
  }
  return horizontalSum(s);
}

function horizontalSum(v: v128): i32 {
  return i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3);
}

/**
 * out[i·n + j] for i < m, j < n from A [m, depth] and W [n, depth] (int16, depth % 8 == 0).
 * `floatOutput` ≠ 0 writes f32 acc·scale[j] + offset[j] (the logits) instead of requantised int8.
 * `acc` is scratch for four int32 sums.
 */
export function gemmS16(
  a: usize, m: i32, depth: i32, w: usize, n: i32,
  scale: usize, offset: usize, floor: i32, floatOutput: i32, out: usize, acc: usize,
): void {
  const stride = <usize>depth << 1;
  for (let i = 0; i < m; i++) {
    const row = a + <usize>i * stride;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      dot4(row, w + <usize>j * stride, depth, acc);
      for (let t = 0; t < 4; t++) emit(load<i32>(acc + (<usize>t << 2)), i * n + j + t, j + t, scale, offset, floor, floatOutput, out);
    }
    for (; j < n; j++) emit(dot1(row, w + <usize>j * stride, depth), i * n + j, j, scale, offset, floor, floatOutput, out);
  }
}

function emit(sum: i32, index: i32, channel: i32, scale: usize, offset: usize, floor: i32, floatOutput: i32, out: usize): void {
  const value = <f32>sum * load<f32>(scale + (<usize>channel << 2)) + load<f32>(offset + (<usize>channel << 2));
  if (floatOutput != 0) {
    store<f32>(out + (<usize>index << 2), value);
  } else {
    const q = <i32>nearest(value);
    store<i8>(out + <usize>index, <i8>(q < floor ? floor : q > 127 ? 127 : q));
  }
}
