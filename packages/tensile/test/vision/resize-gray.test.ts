/**
 * resizeGray: the same pixels as io's `resize` of a one-channel RawImage (8-bit and float), bit for bit
 * on every backend, and its input checks.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backendNames, DTypeError, getBackend, RawImage, ready, resize, resizeGray, setBackend, ShapeError, tensor, ValueError, type ResizeMethod } from '../../src/index.js';

/** Deterministic integer pixels in [0, 255]. */
function pixels(height: number, width: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: height * width }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s % 256;
  });
}

/** Sizes that shrink by less and more than 2, exactly 2 (a pyramid octave), grow, and hit odd widths and heights (the kernel's pairs). */
const CASES: readonly [ResizeMethod, number, number, number, number][] = [
  ['area', 47, 61, 43, 55], ['area', 47, 61, 23, 30], ['area', 48, 62, 24, 31], ['area', 40, 50, 13, 7],
  ['bilinear', 19, 23, 29, 37], ['bilinear', 30, 31, 30, 17], ['bilinear', 1, 9, 5, 4],
  // Large enough for the passes to be split across threads.
  ['area', 301, 400, 271, 361], ['bilinear', 200, 300, 301, 451],
];

describe('resizeGray', () => {
  const previous = getBackend().name;
  for (const name of backendNames()) {
    it(`matches resize of a RawImage bit for bit, 8-bit and float [${name}]`, async () => {
      setBackend(name);
      await ready();
      try {
        for (const [method, height, width, outHeight, outWidth] of CASES) {
          const values = pixels(height, width, height * width);
          const bytes = resize(new RawImage(Uint8Array.from(values), width, height, 1), outWidth, outHeight, method).data;
          const got8 = resizeGray(tensor(values, [height, width]), { width: outWidth, height: outHeight, method, uint8: true });
          assert.deepEqual(got8.shape, [outHeight, outWidth]);
          assert.deepEqual([...got8.dataSync()], [...bytes], `${name} ${method} ${height}×${width} → ${outHeight}×${outWidth}, 8-bit`);
          const floats = values.map((v) => v / 3);
          const expected = resize(new RawImage(floats, width, height, 1), outWidth, outHeight, method).data;
          const got = resizeGray(tensor(floats, [height, width]), { width: outWidth, height: outHeight, method });
          assert.deepEqual([...got.dataSync()], [...expected], `${name} ${method} ${height}×${width} → ${outHeight}×${outWidth}, float`);
        }
      } finally {
        setBackend(previous);
      }
    });
  }

  it('returns the image itself at its own size, and checks its input', () => {
    const image = tensor(pixels(4, 5, 1), [4, 5]);
    assert.equal(resizeGray(image, { width: 5, height: 4 }), image);
    assert.throws(() => resizeGray(tensor(new Float32Array(12), [2, 2, 3]), { width: 1, height: 1 }), ShapeError);
    assert.throws(() => resizeGray(tensor(new Int32Array(4), [2, 2]), { width: 1, height: 1 }), DTypeError);
    assert.throws(() => resizeGray(image, { width: 0, height: 2 }), /size must be positive integers/);
    assert.throws(() => resizeGray(image, { width: 2, height: 2, method: 'cubic' as ResizeMethod }), ValueError);
    assert.throws(() => resizeGray(image, { width: 2, height: 2, scale: 2 } as never), /scale/);
  });
});
