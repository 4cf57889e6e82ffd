// Int16×int16→int32 GEMM for int8 inference: rows of A (activations minus their zero point) times
// rows of W (one per output channel, int8 weights widened once at load), `i32x4.dot_i16x8_s` eight
// products per instruction. A 2-row × 4-channel block keeps eight accumulators in registers, so
// each A load serves four channels and each W load two rows. The four lane-sums of a block are
// reduced together with shuffles, and the epilogue requantises four channels at once:
// q = clamp(round(acc·scale[j] + offset[j]), floor, 127), where scale folds input, weight and output
// scales and offset folds bias and output zero point; floor = the output zero point fuses ReLU.

/** [sum(s0), sum(s1), sum(s2), sum(s3)]: the lane totals of four accumulators in one vector. */
function reduce4(s0: v128, s1: v128, s2: v128, s3: v128): v128 {
  const a = i32x4.add(v128.shuffle<i32>(s0, s1, 0, 4, 1, 5), v128.shuffle<i32>(s0, s1, 2, 6, 3, 7));
  const b = i32x4.add(v128.shuffle<i32>(s2, s3, 0, 4, 1, 5), v128.shuffle<i32>(s2, s3, 2, 6, 3, 7));
  return i32x4.add(v128.shuffle<i32>(a, b, 0, 1, 4, 5), v128.shuffle<i32>(a, b, 2, 3, 6, 7));
}

function horizontalSum(v: v128): i32 {
  return i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3);
}

function dot1(a: usize, w: usize, depth: i32): i32 {
  let s = i32x4.splat(0);
  for (let k = 0; k < depth; k += 8) {
    const offset = <usize>k << 1;
    s = i32x4.add(s, i32x4.dot_i16x8_s(v128.load(a + offset), v128.load(w + offset)));
  }
  return horizontalSum(s);
}

/** Writes four channels [j, j+4) of output row `row` from their int32 sums. */
function emit4(sums: v128, row: i32, j: i32, n: i32, scale: usize, offset: usize, floor: i32, floatOutput: i32, out: usize): void {
  const value = f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(sums), v128.load(scale + (<usize>j << 2))), v128.load(offset + (<usize>j << 2)));
  const index = <usize>(row * n + j);
  if (floatOutput != 0) {
    v128.store(out + (index << 2), value);
    return;
  }
  const q = i32x4.min_s(i32x4.max_s(i32x4.trunc_sat_f32x4_s(f32x4.nearest(value)), i32x4.splat(floor)), i32x4.splat(127));
  const bytes = i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(q, q), i16x8.narrow_i32x4_s(q, q));
  store<i32>(out + index, i32x4.extract_lane(bytes, 0));
}

function emit1(sum: i32, row: i32, j: i32, n: i32, scale: usize, offset: usize, floor: i32, floatOutput: i32, out: usize): void {
  const value = <f32>sum * load<f32>(scale + (<usize>j << 2)) + load<f32>(offset + (<usize>j << 2));
  const index = <usize>(row * n + j);
  if (floatOutput != 0) {
    store<f32>(out + (index << 2), value);
  } else {
    const q = <i32>nearest(value);
    store<i8>(out + index, <i8>(q < floor ? floor : q > 127 ? 127 : q));
  }
}

/** Rows i and i+1 (when `twoRows`) × channels [j, j+4). */
function block(a: usize, w: usize, depth: i32, twoRows: bool, i: i32, j: i32, n: i32, scale: usize, offset: usize, floor: i32, floatOutput: i32, out: usize): void {
  const stride = <usize>depth << 1;
  const a1 = twoRows ? a + stride : a;
  let r00 = i32x4.splat(0), r01 = i32x4.splat(0), r02 = i32x4.splat(0), r03 = i32x4.splat(0);
  let r10 = i32x4.splat(0), r11 = i32x4.splat(0), r12 = i32x4.splat(0), r13 = i32x4.splat(0);
  for (let k = 0; k < depth; k += 8) {
    const offsetK = <usize>k << 1;
    const x0 = v128.load(a + offsetK);
    const x1 = v128.load(a1 + offsetK);
    const w0 = v128.load(w + offsetK);
    const w1 = v128.load(w + stride + offsetK);
    const w2 = v128.load(w + 2 * stride + offsetK);
    const w3 = v128.load(w + 3 * stride + offsetK);
    r00 = i32x4.add(r00, i32x4.dot_i16x8_s(x0, w0));
    r01 = i32x4.add(r01, i32x4.dot_i16x8_s(x0, w1));
    r02 = i32x4.add(r02, i32x4.dot_i16x8_s(x0, w2));
    r03 = i32x4.add(r03, i32x4.dot_i16x8_s(x0, w3));
    r10 = i32x4.add(r10, i32x4.dot_i16x8_s(x1, w0));
    r11 = i32x4.add(r11, i32x4.dot_i16x8_s(x1, w1));
    r12 = i32x4.add(r12, i32x4.dot_i16x8_s(x1, w2));
    r13 = i32x4.add(r13, i32x4.dot_i16x8_s(x1, w3));
  }
  emit4(reduce4(r00, r01, r02, r03), i, j, n, scale, offset, floor, floatOutput, out);
  if (twoRows) emit4(reduce4(r10, r11, r12, r13), i + 1, j, n, scale, offset, floor, floatOutput, out);
}

/**
 * out[i·n + j] for i < m, j < n from A [m, depth] and W [n, depth] (int16, depth % 8 == 0).
 * `floatOutput` ≠ 0 writes f32 acc·scale[j] + offset[j] (the logits) instead of requantised int8.
 */
export function gemmS16(
  a: usize, m: i32, depth: i32, w: usize, n: i32,
  scale: usize, offset: usize, floor: i32, floatOutput: i32, out: usize,
): void {
  const stride = <usize>depth << 1;
  for (let i = 0; i < m; i += 2) {
    const row = a + <usize>i * stride;
    const twoRows = i + 1 < m;
    let j = 0;
    for (; j + 4 <= n; j += 4) block(row, w + <usize>j * stride, depth, twoRows, i, j, n, scale, offset, floor, floatOutput, out);
    for (; j < n; j++) {
      emit1(dot1(row, w + <usize>j * stride, depth), i, j, n, scale, offset, floor, floatOutput, out);
      if (twoRows) emit1(dot1(row + stride, w + <usize>j * stride, depth), i + 1, j, n, scale, offset, floor, floatOutput, out);
    }
  }
}
