// Sliding-window scores of a linear classifier, as src/backends/reference/window-scores.ts specifies
// them: out[y, x] = Σ_a (weights row a) · (the windowWidth·channels contiguous floats of map row y + a
// from cell x), over a float32 map [mapHeight, mapWidth, channels] and weights [windowHeight,
// windowWidth, channels]. Eight neighbouring positions at a time share each weight vector (eight
// independent accumulators keep the adds pipelined), read straight from the map: no window matrix,
// no packing. A row's last eight positions are computed as one block ending at its end, so every
// score is summed by the same code in the same order whatever the row's width.
import { madd } from './simd';

const BLOCK = 8;

/** Σ of the four lanes of v. */
function lanes(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** Score of position x of output row y on its own (rows narrower than a block). */
function score1(map: usize, mapWidth: i32, channels: i32, weights: usize, windowHeight: i32, rowLength: i32, y: i32, x: i32): f32 {
  const vectorEnd = rowLength & ~3;
  let acc = f32x4.splat(0);
  let tail: f32 = 0;
  for (let a = 0; a < windowHeight; a++) {
    const w = weights + (<usize>(a * rowLength) << 2);
    const m = map + (<usize>(((y + a) * mapWidth + x) * channels) << 2);
    for (let k = 0; k < vectorEnd; k += 4) acc = madd(v128.load(w + (<usize>k << 2)), v128.load(m + (<usize>k << 2)), acc);
    for (let k = vectorEnd; k < rowLength; k++) tail += load<f32>(w + (<usize>k << 2)) * load<f32>(m + (<usize>k << 2));
  }
  return lanes(acc) + tail;
}

/** Scores of positions x … x + 7 of output row y into `out`. */
function score8(map: usize, mapWidth: i32, channels: i32, weights: usize, windowHeight: i32, rowLength: i32, y: i32, x: i32, out: usize): void {
  const vectorEnd = rowLength & ~3;
  const step = <usize>channels << 2;
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0);
  // The 0–3 floats past the last whole vector of each window row, per position.
  let t0: f32 = 0, t1: f32 = 0, t2: f32 = 0, t3: f32 = 0, t4: f32 = 0, t5: f32 = 0, t6: f32 = 0, t7: f32 = 0;
  for (let a = 0; a < windowHeight; a++) {
    const w = weights + (<usize>(a * rowLength) << 2);
    const m = map + (<usize>(((y + a) * mapWidth + x) * channels) << 2);
    for (let k = 0; k < vectorEnd; k += 4) {
      const at = <usize>k << 2;
      const wv = v128.load(w + at);
      const p = m + at;
      a0 = madd(wv, v128.load(p), a0);
      a1 = madd(wv, v128.load(p + step), a1);
      a2 = madd(wv, v128.load(p + 2 * step), a2);
      a3 = madd(wv, v128.load(p + 3 * step), a3);
      a4 = madd(wv, v128.load(p + 4 * step), a4);
      a5 = madd(wv, v128.load(p + 5 * step), a5);
      a6 = madd(wv, v128.load(p + 6 * step), a6);
      a7 = madd(wv, v128.load(p + 7 * step), a7);
    }
    for (let k = vectorEnd; k < rowLength; k++) {
      const at = <usize>k << 2;
      const wk = load<f32>(w + at);
      const p = m + at;
      t0 += wk * load<f32>(p);
      t1 += wk * load<f32>(p + step);
      t2 += wk * load<f32>(p + 2 * step);
      t3 += wk * load<f32>(p + 3 * step);
      t4 += wk * load<f32>(p + 4 * step);
      t5 += wk * load<f32>(p + 5 * step);
      t6 += wk * load<f32>(p + 6 * step);
      t7 += wk * load<f32>(p + 7 * step);
    }
  }
  store<f32>(out, lanes(a0) + t0);
  store<f32>(out, lanes(a1) + t1, 4);
  store<f32>(out, lanes(a2) + t2, 8);
  store<f32>(out, lanes(a3) + t3, 12);
  store<f32>(out, lanes(a4) + t4, 16);
  store<f32>(out, lanes(a5) + t5, 20);
  store<f32>(out, lanes(a6) + t6, 24);
  store<f32>(out, lanes(a7) + t7, 28);
}

/** Output rows [rowStart, rowEnd) of the [mapHeight − windowHeight + 1, positionsX] scores. */
export function windowScoreRows(
  map: usize, mapWidth: i32, channels: i32, weights: usize, windowHeight: i32, windowWidth: i32,
  out: usize, rowStart: i32, rowEnd: i32,
): void {
  const rowLength = windowWidth * channels;
  const positionsX = mapWidth - windowWidth + 1;
  for (let y = rowStart; y < rowEnd; y++) {
    const row = out + (<usize>(y * positionsX) << 2);
    if (positionsX < BLOCK) {
      for (let x = 0; x < positionsX; x++) store<f32>(row + (<usize>x << 2), score1(map, mapWidth, channels, weights, windowHeight, rowLength, y, x));
      continue;
    }
    for (let x = 0; x < positionsX; x += BLOCK) {
      const from = min(x, positionsX - BLOCK);
      score8(map, mapWidth, channels, weights, windowHeight, rowLength, y, from, row + (<usize>from << 2));
    }
  }
}
