/**
 * HOG: hand-computed features on tiny images (the reference backend is the spec), the same features on
 * every backend, invariance to contrast, and the op's input checks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getBackend, hog, ready, HOG_CHANNELS, setBackend, ShapeError, tensor, ValueError, DTypeError, backendNames } from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';
import { forEachBackend } from '../helpers/backends.js';

/** A 31-float cell with the given non-zero entries. */
function cell(entries: Record<number, number>): number[] {
  return Array.from({ length: HOG_CHANNELS }, (_, i) => entries[i] ?? 0);
}

/** Deterministic integer pixels in [0, 255]. */
function pixels(height: number, width: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: height * width }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s % 256;
  });
}

forEachBackend('hog', () => {
  it('a vertical edge in one 2×2 cell: every vote in orientation 0, truncated at 0.2 by all four blocks', () => {
    // Each pixel: dx = 100 (edge replicated), dy = 0 → bin 0, magnitude 100, bilinear weight 0.75² into the
    // cell: h[0] = 4 · 0.5625 · 100 = 225. All four blocks are the cell itself: n = 1/√(4·225²) = 1/450,
    // h·n = 0.5 → 0.2; signed[0] = unsigned[0] = ½·4·0.2 = 0.4; texture_k = 0.2357 · 0.2.
    const out = hog(tensor([0, 100, 0, 100], [2, 2]), { cellSize: 2 });
    assert.deepEqual(out.shape, [1, 1, HOG_CHANNELS]);
    assertClose(out.dataSync(), cell({ 0: 0.4, 18: 0.4, 27: 0.04714, 28: 0.04714, 29: 0.04714, 30: 0.04714 }), { atol: 1e-5 });
  });

  it('a horizontal edge, dark below: orientation 80°/100° tie goes to the first, signed bin 13', () => {
    // dy = −100, dx = 0: |dot| is largest for 80° and 100° (equal by construction); the first (o = 4)
    // wins, and the negative dot makes it the opposite direction, bin 4 + 9 = 13; unsigned bin 4 (18 + 4).
    const out = hog(tensor([100, 100, 0, 0], [2, 2]), { cellSize: 2 });
    assertClose(out.dataSync(), cell({ 13: 0.4, 22: 0.4, 27: 0.04714, 28: 0.04714, 29: 0.04714, 30: 0.04714 }), { atol: 1e-5 });
  });

  it('layout: ⌊H/c⌋ × ⌊W/c⌋ cells of 31 floats; a flat image has no features', () => {
    const out = hog(tensor(new Float32Array(13 * 20).fill(77), [13, 20]), { cellSize: 6 });
    assert.deepEqual(out.shape, [2, 3, HOG_CHANNELS]);
    assert.ok(out.dataSync().every((v) => v === 0));
  });

  it('is unchanged by doubling the contrast (block normalisation)', () => {
    const image = pixels(24, 30, 3);
    const a = hog(tensor(image, [24, 30]), { cellSize: 6 }).dataSync();
    const b = hog(tensor(image.map((v) => 2 * v), [24, 30]), { cellSize: 6 }).dataSync();
    assertClose(b, a, { atol: 1e-4 });
  });

  it('checks its input', () => {
    assert.throws(() => hog(tensor(new Float32Array(12), [2, 2, 3])), ShapeError);
    assert.throws(() => hog(tensor(new Int32Array(36), [6, 6])), DTypeError);
    assert.throws(() => hog(tensor(new Float32Array(25), [5, 5]), { cellSize: 6 }), /holds no 6-pixel cell/);
    assert.throws(() => hog(tensor(new Float32Array(36), [6, 6]), { cellSize: 1.5 }), ValueError);
  });
});

describe('hog on every backend', () => {
  it('matches the reference backend on a textured 61×75 image, cells of 4, 6 and 8', () => {
    const image = pixels(61, 75, 11);
    const previous = getBackend().name;
    try {
      for (const cellSize of [4, 6, 8]) {
        setBackend('reference');
        const expected = hog(tensor(image, [61, 75]), { cellSize }).dataSync();
        for (const name of backendNames().filter((n) => n !== 'reference')) {
          setBackend(name);
          assertClose(hog(tensor(image, [61, 75]), { cellSize }).dataSync(), expected, { atol: 1e-4, message: `${name}, cell ${cellSize}` });
        }
      }
    } finally {
      setBackend(previous);
    }
  });

  it('matches the reference backend at every width 2–13 (the vectorised rows\' edges and tails)', () => {
    const previous = getBackend().name;
    try {
      for (let width = 2; width <= 13; width++) {
        const image = pixels(9, width, width);
        setBackend('reference');
        const expected = hog(tensor(image, [9, width]), { cellSize: 2 }).dataSync();
        for (const name of backendNames().filter((n) => n !== 'reference')) {
          setBackend(name);
          assertClose(hog(tensor(image, [9, width]), { cellSize: 2 }).dataSync(), expected, { atol: 1e-4, message: `${name}, width ${width}` });
        }
      }
    } finally {
      setBackend(previous);
    }
  });

  it('gives the same features bit for bit on one thread and on several (bands of cell rows)', async () => {
    const names = backendNames();
    if (!names.includes('wasm') || !names.includes('wasm-1t')) return;
    const image = pixels(241, 300, 5);
    const previous = getBackend().name;
    try {
      setBackend('wasm-1t');
      const single = hog(tensor(image, [241, 300]), { cellSize: 6 }).dataSync();
      setBackend('wasm');
      await ready();
      assert.deepEqual(hog(tensor(image, [241, 300]), { cellSize: 6 }).dataSync(), single);
    } finally {
      setBackend(previous);
    }
  });
});
