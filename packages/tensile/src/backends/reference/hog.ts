/**
 * Histograms of oriented gradients, Felzenszwalb et al.'s 31-dimension variant of Dalal–Triggs HOG
 * (PAMI 2010, as in voc-release and VLFeat's UoCTTI HOG). This file is the specification the WASM
 * kernel (asm/hog.ts) follows step by step:
 *
 * 1. Gradient at every pixel by central differences, the image edge replicated: dx = I(x+1) − I(x−1),
 *    dy = I(y+1) − I(y−1); magnitude m = √(dx² + dy²).
 * 2. Orientation: the signed bin o ∈ [0, 18) whose direction (cos oπ/9, sin oπ/9), or its opposite for
 *    o + 9, has the largest dot product with (dx, dy); the first of tied directions wins.
 * 3. Cells: square cells of c pixels, ⌊H/c⌋ × ⌊W/c⌋ of them from the top-left corner. Each pixel adds m to
 *    its bin in the four cells around its centre, weighted bilinearly by distance to their centres;
 *    votes falling outside the grid are dropped.
 * 4. Normalisation: energy E of a cell = Σ over the 9 unsigned orientations of (h[o] + h[o+9])². A cell
 *    lies in four 2×2 blocks (it is their bottom-right, bottom-left, top-right, top-left cell); block k
 *    gives the factor n_k = 1 / √(ΣE over the block + 1e-4), cells past the grid edge replicating the
 *    edge cell. Normalised values are truncated at 0.2 (the "Hys" clipping of L2-Hys).
 * 5. Features of a cell, 31 floats: [0, 18) signed orientations ½Σ_k min(h[o]·n_k, 0.2);
 *    [18, 27) unsigned orientations ½Σ_k min((h[o] + h[o+9])·n_k, 0.2); [27, 31) texture, block k's
 *    0.2357·Σ_o min(h[o]·n_k, 0.2) over the 18 signed orientations.
 *
 * Output layout: [cellsY, cellsX, 31], row-major, channels last (an NHWC map for sliding templates).
 * Pixel values are expected on the 0–255 scale (the 1e-4 in step 4 is relative to it).
 */
import type { HogInfo } from '../../backend/contract.js';

export const HOG_ORIENTATIONS = 18;
export const HOG_FEATURES = 31;
const EPSILON = 1e-4;
const TRUNCATE = 0.2;
const TEXTURE_WEIGHT = 0.2357;

/** Unit directions of the 9 unsigned orientations; mirrored entries are built equal, so exact ties stay ties. */
function directions(): { cos: Float64Array; sin: Float64Array } {
  const cos = new Float64Array(9);
  const sin = new Float64Array(9);
  for (let o = 0; o < 9; o++) {
    const mirror = Math.min(o, 9 - o);
    cos[o] = (o <= 4 ? 1 : -1) * Math.cos((mirror * Math.PI) / 9);
    sin[o] = Math.sin((mirror * Math.PI) / 9);
  }
  return { cos, sin };
}
const { cos: COS, sin: SIN } = directions();

/** Per-cell orientation histograms [cellsY, cellsX, 18] (steps 1–3). */
function histograms(image: Float32Array, { height, width, cellSize }: HogInfo): Float64Array {
  const cellsY = Math.floor(height / cellSize);
  const cellsX = Math.floor(width / cellSize);
  const hist = new Float64Array(cellsY * cellsX * HOG_ORIENTATIONS);
  const vote = (cy: number, cx: number, bin: number, value: number): void => {
    if (cy >= 0 && cy < cellsY && cx >= 0 && cx < cellsX) hist[(cy * cellsX + cx) * HOG_ORIENTATIONS + bin]! += value;
  };
  for (let y = 0; y < height; y++) {
    const up = Math.max(y - 1, 0) * width;
    const down = Math.min(y + 1, height - 1) * width;
    const py = (y + 0.5) / cellSize - 0.5;
    const cy = Math.floor(py);
    const fy = py - cy;
    for (let x = 0; x < width; x++) {
      const dx = image[y * width + Math.min(x + 1, width - 1)]! - image[y * width + Math.max(x - 1, 0)]!;
      const dy = image[down + x]! - image[up + x]!;
      const magnitude = Math.sqrt(dx * dx + dy * dy);
      if (magnitude === 0) continue;
      let best = 0;
      let bin = 0;
      for (let o = 0; o < 9; o++) {
        const dot = COS[o]! * dx + SIN[o]! * dy;
        if (dot > best) {
          best = dot;
          bin = o;
        } else if (-dot > best) {
          best = -dot;
          bin = o + 9;
        }
      }
      const px = (x + 0.5) / cellSize - 0.5;
      const cx = Math.floor(px);
      const fx = px - cx;
      vote(cy, cx, bin, magnitude * (1 - fx) * (1 - fy));
      vote(cy, cx + 1, bin, magnitude * fx * (1 - fy));
      vote(cy + 1, cx, bin, magnitude * (1 - fx) * fy);
      vote(cy + 1, cx + 1, bin, magnitude * fx * fy);
    }
  }
  return hist;
}

export function hog(image: Float32Array, info: HogInfo): Float32Array {
  const cellsY = Math.floor(info.height / info.cellSize);
  const cellsX = Math.floor(info.width / info.cellSize);
  const hist = histograms(image, info);
  const energy = new Float64Array(cellsY * cellsX);
  for (let cell = 0; cell < energy.length; cell++) {
    let e = 0;
    for (let o = 0; o < 9; o++) {
      const h = hist[cell * HOG_ORIENTATIONS + o]! + hist[cell * HOG_ORIENTATIONS + o + 9]!;
      e += h * h;
    }
    energy[cell] = e;
  }
  const energyAt = (cy: number, cx: number): number => energy[Math.min(Math.max(cy, 0), cellsY - 1) * cellsX + Math.min(Math.max(cx, 0), cellsX - 1)]!;
  const blockFactor = (top: number, left: number): number =>
    1 / Math.sqrt(energyAt(top, left) + energyAt(top, left + 1) + energyAt(top + 1, left) + energyAt(top + 1, left + 1) + EPSILON);
  const out = new Float32Array(cellsY * cellsX * HOG_FEATURES);
  const n = new Float64Array(4);
  const texture = new Float64Array(4);
  for (let cy = 0; cy < cellsY; cy++) {
    for (let cx = 0; cx < cellsX; cx++) {
      n[0] = blockFactor(cy - 1, cx - 1);
      n[1] = blockFactor(cy - 1, cx);
      n[2] = blockFactor(cy, cx - 1);
      n[3] = blockFactor(cy, cx);
      texture.fill(0);
      const h = (cy * cellsX + cx) * HOG_ORIENTATIONS;
      const o0 = (cy * cellsX + cx) * HOG_FEATURES;
      for (let o = 0; o < HOG_ORIENTATIONS; o++) {
        let sum = 0;
        for (let k = 0; k < 4; k++) {
          const v = Math.min(hist[h + o]! * n[k]!, TRUNCATE);
          sum += v;
          texture[k]! += v;
        }
        out[o0 + o] = 0.5 * sum;
      }
      for (let o = 0; o < 9; o++) {
        const unsigned = hist[h + o]! + hist[h + o + 9]!;
        let sum = 0;
        for (let k = 0; k < 4; k++) sum += Math.min(unsigned * n[k]!, TRUNCATE);
        out[o0 + HOG_ORIENTATIONS + o] = 0.5 * sum;
      }
      for (let k = 0; k < 4; k++) out[o0 + 27 + k] = TEXTURE_WEIGHT * texture[k]!;
    }
  }
  return out;
}
