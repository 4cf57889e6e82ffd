// HOG features (Felzenszwalb's 31 per cell) of a float32 [height, width] image, step for step as the
// reference backend's src/backends/reference/hog.ts specifies; float32 arithmetic throughout.
// Two phases over bands of cell rows (threads take a band each): histograms and energies, then the
// features. `hist` (cellsY·cellsX·18 floats) and `energy` (cellsY·cellsX floats) are shared scratch;
// each band has its own `scratch`, max(HOG_ROW_ARRAYS·width + (cellsX + HOG_ROW_CELLS_EXTRA)·18,
// (rows + 1)·(cellsX + 1)) floats; out is [cellsY, cellsX, 31]. Two sums are rounded in another order
// than the reference's (the same terms): the votes of a pixel row are summed per cell column with
// their x factors, then added to the two cell rows around it with its y factors; a texture sums its
// 18 truncated values four lanes at a time. Otherwise every float op is the one the scalar recipe
// does, in the same order per value (SIMD only across pixels or cells). Each value has one code
// path, so the features do not depend on the vector width or the bands.

const ORIENTATIONS = 18;
const FEATURES = 31;
const EPSILON: f32 = 1e-4;
const TRUNCATE: f32 = 0.2;
const TEXTURE_WEIGHT: f32 = 0.2357;

// Unit directions of the 9 unsigned orientations (o·20°), mirrored entries equal as in the reference.
const COS: StaticArray<f32> = [1.0, 0.9396926, 0.7660444, 0.5, 0.17364818, -0.17364818, -0.5, -0.7660444, -0.9396926];
const SIN: StaticArray<f32> = [0.0, 0.34202015, 0.64278764, 0.8660254, 0.9848077, 0.9848077, 0.8660254, 0.64278764, 0.34202015];

// Row scratch arrays, `width` 4-byte lanes each, in this order from the scratch base: per pixel its
// bin and its votes for the cells left and right of it, per column its left cell and the bilinear x
// factors; after them the row histogram (cellsX + HOG_ROW_CELLS_EXTRA cells of 18 floats). Phase 2 keeps
// its band's block factors in the same scratch.
const BINS = 0;
const LEFT = 1;
const RIGHT = 2;
const CXS = 3;
const FXS = 4;
const GXS = 5;
/** Row scratch arrays before the row histogram. */
export const HOG_ROW_ARRAYS = 6;
/** Row histogram cells beyond the grid: one left of it (index 0 is cell −1), two right (cx + 1 reaches cellsX + 1). */
export const HOG_ROW_CELLS_EXTRA = 3;

/** Lane x of row-scratch array `k`. */
function slot(scratch: usize, width: i32, k: i32, x: i32): usize {
  return scratch + ((<usize>k * <usize>width + <usize>x) << 2);
}

/** Gradient, orientation and the two votes (magnitude · x factor) of pixel x of a row, scalar (edges and the tail). */
function pixel(s: usize, row: usize, up: usize, down: usize, x: i32, width: i32): void {
  const right = min(x + 1, width - 1);
  const left = max(x - 1, 0);
  const dx: f32 = load<f32>(row + (<usize>right << 2)) - load<f32>(row + (<usize>left << 2));
  const dy: f32 = load<f32>(down + (<usize>x << 2)) - load<f32>(up + (<usize>x << 2));
  const magnitude = Mathf.sqrt(dx * dx + dy * dy);
  let best: f32 = 0;
  let bin = 0;
  for (let o = 0; o < 9; o++) {
    const dot = unchecked(COS[o]) * dx + unchecked(SIN[o]) * dy;
    if (dot > best) {
      best = dot;
      bin = o;
    } else if (-dot > best) {
      best = -dot;
      bin = o + 9;
    }
  }
  store<i32>(slot(s, width, BINS, x), bin);
  store<f32>(slot(s, width, LEFT, x), magnitude * load<f32>(slot(s, width, GXS, x)));
  store<f32>(slot(s, width, RIGHT, x), magnitude * load<f32>(slot(s, width, FXS, x)));
}

/** cos·dx + sin·dy of orientation o, the directions as constants (the loop it sits in is unrolled). */
function direction(o: i32, dx: v128, dy: v128): v128 {
  return f32x4.add(f32x4.mul(f32x4.splat(unchecked(COS[o])), dx), f32x4.mul(f32x4.splat(unchecked(SIN[o])), dy));
}

/** Pixels [1, end) of a row, four at a time (end − 1 a multiple of 4, end ≤ width − 1); the scalar search's comparisons become lane selects. */
function pixels4(s: usize, row: usize, up: usize, down: usize, end: i32, width: i32): void {
  for (let x = 1; x < end; x += 4) {
    const at = <usize>x << 2;
    const dx = f32x4.sub(v128.load(row + at + 4), v128.load(row + at - 4));
    const dy = f32x4.sub(v128.load(down + at), v128.load(up + at));
    const magnitude = f32x4.sqrt(f32x4.add(f32x4.mul(dx, dx), f32x4.mul(dy, dy)));
    // The scalar search's two tests in one: best ≥ 0, so `dot > best` or `−dot > best` ⇔ |dot| > best, and
    // the sign of the winning dot picks o or o + 9. The winner is kept as the code 2·o + (dot < 0):
    // codes grow with o, so the latest winner is the largest code so far. Orientation 0's dot is dx
    // (1·dx + 0·dy, the same size and sign), and it starts the search (|dot| ≥ 0 = best).
    const zero = f32x4.splat(0);
    let best = f32x4.abs(dx);
    let code = i32x4.neg(f32x4.lt(dx, zero));
    for (let o = 1; o < 9; o++) {
      const dot = inline.always(direction(o, dx, dy));
      const size = f32x4.abs(dot);
      const above = f32x4.gt(size, best);
      best = f32x4.pmax(best, size);
      code = i32x4.max_s(code, v128.and(above, i32x4.sub(i32x4.splat(o << 1), f32x4.lt(dot, zero))));
    }
    const bin = i32x4.add(i32x4.shr_u(code, 1), v128.and(i32x4.neg(v128.and(code, i32x4.splat(1))), i32x4.splat(9)));
    v128.store(slot(s, width, BINS, x), bin);
    v128.store(slot(s, width, LEFT, x), f32x4.mul(magnitude, v128.load(slot(s, width, GXS, x))));
    v128.store(slot(s, width, RIGHT, x), f32x4.mul(magnitude, v128.load(slot(s, width, FXS, x))));
  }
}

/** cell row += rowHist · factor over n floats (a whole row of cells' histograms). */
function addScaled(cellRow: usize, rowHist: usize, factor: f32, n: i32): void {
  const f = f32x4.splat(factor);
  const vectorEnd = n & ~3;
  for (let i = 0; i < vectorEnd; i += 4) {
    const at = <usize>i << 2;
    v128.store(cellRow + at, f32x4.add(v128.load(cellRow + at), f32x4.mul(v128.load(rowHist + at), f)));
  }
  for (let i = vectorEnd; i < n; i++) {
    const at = <usize>i << 2;
    store<f32>(cellRow + at, load<f32>(cellRow + at) + load<f32>(rowHist + at) * factor);
  }
}

/**
 * Orientation histograms of the cell rows [rowStart, rowEnd): per pixel row that votes into them, the
 * gradients, bins and x-weighted votes of all its pixels (SIMD), summed in pixel order into a row
 * histogram over the cell columns, which then goes to the two cell rows around the pixel row with
 * its y factors. Every histogram entry adds its pixel rows in order, whichever band computes it.
 * A pixel with no gradient votes +0, which leaves the histogram as skipping it would.
 */
function histograms(image: usize, height: i32, width: i32, cellSize: i32, hist: usize, cellsX: i32, s: usize, rowStart: i32, rowEnd: i32): void {
  const rowFloats = cellsX * ORIENTATIONS;
  const rowBytes = <usize>rowFloats << 2;
  memory.fill(hist + <usize>rowStart * rowBytes, 0, <usize>(rowEnd - rowStart) * rowBytes);
  const rowHist = slot(s, width, HOG_ROW_ARRAYS, 0);
  const rowHistBytes = <usize>((cellsX + HOG_ROW_CELLS_EXTRA) * ORIENTATIONS) << 2;
  // Row histogram index of cell 0 (index 0 is cell −1).
  const gridStart = rowHist + (ORIENTATIONS << 2);
  const inverse: f32 = 1.0 / <f32>cellSize;
  for (let x = 0; x < width; x++) {
    const px: f32 = (<f32>x + 0.5) * inverse - 0.5;
    const cx = <i32>Mathf.floor(px);
    const fx: f32 = px - <f32>cx;
    store<i32>(slot(s, width, CXS, x), cx);
    store<f32>(slot(s, width, FXS, x), fx);
    store<f32>(slot(s, width, GXS, x), 1 - fx);
  }
  const simdEnd = 1 + (((width - 2) >> 2) << 2);
  // Pixel rows above (rowStart − 1)·cellSize or from (rowEnd + 1)·cellSize on vote into no cell of the band.
  const yEnd = min(height, (rowEnd + 1) * cellSize);
  for (let y = max(0, (rowStart - 1) * cellSize); y < yEnd; y++) {
    const row = image + (<usize>(y * width) << 2);
    const up = image + (<usize>(max(y - 1, 0) * width) << 2);
    const down = image + (<usize>(min(y + 1, height - 1) * width) << 2);
    pixel(s, row, up, down, 0, width);
    pixels4(s, row, up, down, simdEnd, width);
    for (let x = simdEnd; x < width; x++) pixel(s, row, up, down, x, width);
    memory.fill(rowHist, 0, rowHistBytes);
    for (let x = 0; x < width; x++) {
      const cx = load<i32>(slot(s, width, CXS, x));
      const bin = load<i32>(slot(s, width, BINS, x));
      const a = rowHist + ((<usize>(cx + 1) * ORIENTATIONS + <usize>bin) << 2);
      store<f32>(a, load<f32>(a) + load<f32>(slot(s, width, LEFT, x)));
      store<f32>(a + (ORIENTATIONS << 2), load<f32>(a + (ORIENTATIONS << 2)) + load<f32>(slot(s, width, RIGHT, x)));
    }
    const py: f32 = (<f32>y + 0.5) * inverse - 0.5;
    const cy = <i32>Mathf.floor(py);
    const fy: f32 = py - <f32>cy;
    if (cy >= rowStart && cy < rowEnd) addScaled(hist + <usize>cy * rowBytes, gridStart, 1 - fy, rowFloats);
    if (cy + 1 >= rowStart && cy + 1 < rowEnd) addScaled(hist + <usize>(cy + 1) * rowBytes, gridStart, fy, rowFloats);
  }
}

function energyAt(energy: usize, cellsY: i32, cellsX: i32, cy: i32, cx: i32): f32 {
  const y = min(max(cy, 0), cellsY - 1);
  const x = min(max(cx, 0), cellsX - 1);
  return load<f32>(energy + (<usize>(y * cellsX + x) << 2));
}

/**
 * Block factors of the blocks with top-left cell (top, left), top ∈ [rowStart − 1, rowEnd), left ∈
 * [−1, cellsX): the blocks of the band's cells, each computed once and read by its four cells.
 */
function blockFactors(energy: usize, cellsY: i32, cellsX: i32, blocks: usize, rowStart: i32, rowEnd: i32): void {
  for (let top = rowStart - 1; top < rowEnd; top++) {
    for (let left = -1; left < cellsX; left++) {
      const sum = energyAt(energy, cellsY, cellsX, top, left) + energyAt(energy, cellsY, cellsX, top, left + 1)
        + energyAt(energy, cellsY, cellsX, top + 1, left) + energyAt(energy, cellsY, cellsX, top + 1, left + 1);
      store<f32>(blocks + (<usize>((top + 1 - rowStart) * (cellsX + 1) + left + 1) << 2), 1.0 / Mathf.sqrt(sum + EPSILON));
    }
  }
}

/** min(v·n, 0.2) per lane: pmin is min itself here (0.2 is neither NaN nor a zero), in one instruction. */
function truncated(v: v128, n: v128): v128 {
  return f32x4.pmin(f32x4.mul(v, n), f32x4.splat(TRUNCATE));
}

/** The 4 blocks' truncated values summed in order, per lane. */
function blockSum(a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  return f32x4.add(f32x4.add(f32x4.add(a0, a1), a2), a3);
}

/** Truncated v summed over the 4 blocks. */
function unsignedSum(v: v128, n0: v128, n1: v128, n2: v128, n3: v128): v128 {
  return inline.always(blockSum(inline.always(truncated(v, n0)), inline.always(truncated(v, n1)), inline.always(truncated(v, n2)), inline.always(truncated(v, n3))));
}

/** Phase 1 of a band of cell rows [rowStart, rowEnd): their histograms and energies. */
export function hogHistogramRows(image: usize, height: i32, width: i32, cellSize: i32, hist: usize, energy: usize, scratch: usize, rowStart: i32, rowEnd: i32): void {
  const cellsX = width / cellSize;
  histograms(image, height, width, cellSize, hist, cellsX, scratch, rowStart, rowEnd);
  for (let cell = rowStart * cellsX; cell < rowEnd * cellsX; cell++) {
    const h = hist + (<usize>(cell * ORIENTATIONS) << 2);
    let e: f32 = 0;
    for (let o = 0; o < 9; o++) {
      const v = load<f32>(h + (<usize>o << 2)) + load<f32>(h + (<usize>(o + 9) << 2));
      e += v * v;
    }
    store<f32>(energy + (<usize>cell << 2), e);
  }
}

/** Phase 2 of a band, once every band's phase 1 is done (its blocks read the energies of the rows around it): the features. */
export function hogFeatureRows(height: i32, width: i32, cellSize: i32, hist: usize, energy: usize, blocks: usize, out: usize, rowStart: i32, rowEnd: i32): void {
  const cellsY = height / cellSize;
  const cellsX = width / cellSize;
  blockFactors(energy, cellsY, cellsX, blocks, rowStart, rowEnd);
  const blockRow = <usize>(cellsX + 1) << 2;
  for (let cy = rowStart; cy < rowEnd; cy++) {
    for (let cx = 0; cx < cellsX; cx++) {
      // Blocks whose bottom-right, bottom-left, top-right and top-left cell this one is.
      const b = blocks + (<usize>((cy - rowStart) * (cellsX + 1) + cx) << 2);
      const n = v128.load64_lane(b + blockRow, v128.load64_zero(b), 1);
      const n0 = f32x4.splat(f32x4.extract_lane(n, 0));
      const n1 = f32x4.splat(f32x4.extract_lane(n, 1));
      const n2 = f32x4.splat(f32x4.extract_lane(n, 2));
      const n3 = f32x4.splat(f32x4.extract_lane(n, 3));
      const half = f32x4.splat(0.5);
      const h = hist + (<usize>((cy * cellsX + cx) * ORIENTATIONS) << 2);
      const o0 = out + (<usize>((cy * cellsX + cx) * FEATURES) << 2);
      // Signed orientations by fours (16–17 with two zero lanes, which add nothing): each feature sums
      // its 4 blocks in the scalar order, and each block's truncated values add up lane by lane into
      // its texture, whose 4 lanes are summed at the end.
      let t0 = f32x4.splat(0), t1 = f32x4.splat(0), t2 = f32x4.splat(0), t3 = f32x4.splat(0);
      for (let o = 0; o < ORIENTATIONS; o += 4) {
        const v = o < 16 ? v128.load(h + (<usize>o << 2)) : v128.load64_zero(h + (<usize>o << 2));
        const a0 = inline.always(truncated(v, n0));
        const a1 = inline.always(truncated(v, n1));
        const a2 = inline.always(truncated(v, n2));
        const a3 = inline.always(truncated(v, n3));
        t0 = f32x4.add(t0, a0);
        t1 = f32x4.add(t1, a1);
        t2 = f32x4.add(t2, a2);
        t3 = f32x4.add(t3, a3);
        const feature = f32x4.mul(half, inline.always(blockSum(a0, a1, a2, a3)));
        if (o < 16) v128.store(o0 + (<usize>o << 2), feature);
        else v128.store64_lane(o0 + (<usize>o << 2), feature, 0);
      }
      // Unsigned orientations 0–7 by fours, then 8 in lane 0.
      for (let o = 0; o < 8; o += 4) {
        const v = f32x4.add(v128.load(h + (<usize>o << 2)), v128.load(h + (<usize>(o + 9) << 2)));
        v128.store(o0 + (<usize>(ORIENTATIONS + o) << 2), f32x4.mul(half, inline.always(unsignedSum(v, n0, n1, n2, n3))));
      }
      const u = f32x4.add(v128.load32_zero(h + (8 << 2)), v128.load32_zero(h + (17 << 2)));
      v128.store32_lane(o0 + (<usize>(ORIENTATIONS + 8) << 2), f32x4.mul(half, inline.always(unsignedSum(u, n0, n1, n2, n3))), 0);
      // Lane sums of t0…t3 as one vector: pairs of lanes, then the pairs.
      const low = f32x4.add(v128.shuffle<f32>(t0, t1, 0, 4, 1, 5), v128.shuffle<f32>(t0, t1, 2, 6, 3, 7));
      const high = f32x4.add(v128.shuffle<f32>(t2, t3, 0, 4, 1, 5), v128.shuffle<f32>(t2, t3, 2, 6, 3, 7));
      const texture = f32x4.add(v128.shuffle<f32>(low, high, 0, 1, 4, 5), v128.shuffle<f32>(low, high, 2, 3, 6, 7));
      v128.store(o0 + (27 << 2), f32x4.mul(f32x4.splat(TEXTURE_WEIGHT), texture));
    }
  }
}
