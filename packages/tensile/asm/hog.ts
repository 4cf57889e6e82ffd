// HOG features (Felzenszwalb's 31 per cell) of a float32 [height, width] image, step for step as the
// reference backend's src/backends/reference/hog.ts specifies; float32 arithmetic throughout.
// `hist` (cellsY·cellsX·18 floats) and `energy` (cellsY·cellsX floats) are scratch; out is
// [cellsY, cellsX, 31].

const ORIENTATIONS = 18;
const FEATURES = 31;
const EPSILON: f32 = 1e-4;
const TRUNCATE: f32 = 0.2;
const TEXTURE_WEIGHT: f32 = 0.2357;

// Unit directions of the 9 unsigned orientations (o·20°), mirrored entries equal as in the reference.
const COS: StaticArray<f32> = [1.0, 0.9396926, 0.7660444, 0.5, 0.17364818, -0.17364818, -0.5, -0.7660444, -0.9396926];
const SIN: StaticArray<f32> = [0.0, 0.34202015, 0.64278764, 0.8660254, 0.9848077, 0.9848077, 0.8660254, 0.64278764, 0.34202015];

function vote(hist: usize, cellsY: i32, cellsX: i32, cy: i32, cx: i32, bin: i32, value: f32): void {
  if (<u32>cy < <u32>cellsY && <u32>cx < <u32>cellsX) {
    const at = hist + ((<usize>(cy * cellsX + cx) * ORIENTATIONS + <usize>bin) << 2);
    store<f32>(at, load<f32>(at) + value);
  }
}

function histograms(image: usize, height: i32, width: i32, cellSize: i32, hist: usize, cellsY: i32, cellsX: i32): void {
  memory.fill(hist, 0, <usize>(cellsY * cellsX * ORIENTATIONS) << 2);
  const inverse: f32 = 1.0 / <f32>cellSize;
  for (let y = 0; y < height; y++) {
    const row = image + (<usize>(y * width) << 2);
    const up = image + (<usize>(max(y - 1, 0) * width) << 2);
    const down = image + (<usize>(min(y + 1, height - 1) * width) << 2);
    const py: f32 = (<f32>y + 0.5) * inverse - 0.5;
    const cy = <i32>Mathf.floor(py);
    const fy: f32 = py - <f32>cy;
    for (let x = 0; x < width; x++) {
      const right = min(x + 1, width - 1);
      const left = max(x - 1, 0);
      const dx: f32 = load<f32>(row + (<usize>right << 2)) - load<f32>(row + (<usize>left << 2));
      const dy: f32 = load<f32>(down + (<usize>x << 2)) - load<f32>(up + (<usize>x << 2));
      const magnitude = Mathf.sqrt(dx * dx + dy * dy);
      if (magnitude == 0) continue;
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
      const px: f32 = (<f32>x + 0.5) * inverse - 0.5;
      const cx = <i32>Mathf.floor(px);
      const fx: f32 = px - <f32>cx;
      const top = magnitude * (1 - fy);
      const bottom = magnitude * fy;
      vote(hist, cellsY, cellsX, cy, cx, bin, top * (1 - fx));
      vote(hist, cellsY, cellsX, cy, cx + 1, bin, top * fx);
      vote(hist, cellsY, cellsX, cy + 1, cx, bin, bottom * (1 - fx));
      vote(hist, cellsY, cellsX, cy + 1, cx + 1, bin, bottom * fx);
    }
  }
}

function energyAt(energy: usize, cellsY: i32, cellsX: i32, cy: i32, cx: i32): f32 {
  const y = min(max(cy, 0), cellsY - 1);
  const x = min(max(cx, 0), cellsX - 1);
  return load<f32>(energy + (<usize>(y * cellsX + x) << 2));
}

function blockFactor(energy: usize, cellsY: i32, cellsX: i32, top: i32, left: i32): f32 {
  const sum = energyAt(energy, cellsY, cellsX, top, left) + energyAt(energy, cellsY, cellsX, top, left + 1)
    + energyAt(energy, cellsY, cellsX, top + 1, left) + energyAt(energy, cellsY, cellsX, top + 1, left + 1);
  return 1.0 / Mathf.sqrt(sum + EPSILON);
}

export function hogF32(image: usize, height: i32, width: i32, cellSize: i32, hist: usize, energy: usize, out: usize): void {
  const cellsY = height / cellSize;
  const cellsX = width / cellSize;
  histograms(image, height, width, cellSize, hist, cellsY, cellsX);
  for (let cell = 0; cell < cellsY * cellsX; cell++) {
    const h = hist + (<usize>(cell * ORIENTATIONS) << 2);
    let e: f32 = 0;
    for (let o = 0; o < 9; o++) {
      const v = load<f32>(h + (<usize>o << 2)) + load<f32>(h + (<usize>(o + 9) << 2));
      e += v * v;
    }
    store<f32>(energy + (<usize>cell << 2), e);
  }
  for (let cy = 0; cy < cellsY; cy++) {
    for (let cx = 0; cx < cellsX; cx++) {
      const n0 = blockFactor(energy, cellsY, cellsX, cy - 1, cx - 1);
      const n1 = blockFactor(energy, cellsY, cellsX, cy - 1, cx);
      const n2 = blockFactor(energy, cellsY, cellsX, cy, cx - 1);
      const n3 = blockFactor(energy, cellsY, cellsX, cy, cx);
      const h = hist + (<usize>((cy * cellsX + cx) * ORIENTATIONS) << 2);
      const o0 = out + (<usize>((cy * cellsX + cx) * FEATURES) << 2);
      let t0: f32 = 0;
      let t1: f32 = 0;
      let t2: f32 = 0;
      let t3: f32 = 0;
      for (let o = 0; o < ORIENTATIONS; o++) {
        const v = load<f32>(h + (<usize>o << 2));
        const v0 = min(v * n0, TRUNCATE);
        const v1 = min(v * n1, TRUNCATE);
        const v2 = min(v * n2, TRUNCATE);
        const v3 = min(v * n3, TRUNCATE);
        t0 += v0;
        t1 += v1;
        t2 += v2;
        t3 += v3;
        store<f32>(o0 + (<usize>o << 2), 0.5 * (v0 + v1 + v2 + v3));
      }
      for (let o = 0; o < 9; o++) {
        const v = load<f32>(h + (<usize>o << 2)) + load<f32>(h + (<usize>(o + 9) << 2));
        const sum = min(v * n0, TRUNCATE) + min(v * n1, TRUNCATE) + min(v * n2, TRUNCATE) + min(v * n3, TRUNCATE);
        store<f32>(o0 + (<usize>(ORIENTATIONS + o) << 2), 0.5 * sum);
      }
      store<f32>(o0 + (27 << 2), TEXTURE_WEIGHT * t0);
      store<f32>(o0 + (28 << 2), TEXTURE_WEIGHT * t1);
      store<f32>(o0 + (29 << 2), TEXTURE_WEIGHT * t2);
      store<f32>(o0 + (30 << 2), TEXTURE_WEIGHT * t3);
    }
  }
}
