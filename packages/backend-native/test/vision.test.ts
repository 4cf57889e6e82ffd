/**
 * The native HOG detector kernels against the reference backend: HOG maps and window scores within
 * the tolerance the WASM kernels meet, resized pixels bit for bit, at sizes that reach the vector
 * loops' edges and tails, on one thread and split into row bands on two (which must not change a
 * bit). Says so and skips when the kernels are not built.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Backend, DataId, ResizeMethod, TensorRef } from 'tensile';
import { Generator, HOG_CHANNELS, ReferenceBackend } from 'tensile';
import { NativeBackend, nativeUnavailable } from '../src/index.js';

const unavailable = nativeUnavailable();
if (unavailable) console.log(`native backend skipped: ${unavailable}`);

const random = new Generator(5);
const reference = new ReferenceBackend();

/** Integer pixels in [0, 255], as the detector's gray levels are. */
function pixels(length: number): Float32Array {
  return Float32Array.from({ length }, () => Math.floor(random.random() * 256));
}

function upload(backend: Backend, values: Float32Array, shape: number[]): TensorRef {
  return { id: backend.upload(values.slice()), shape, dtype: 'float32' };
}

function read(backend: Backend, id: DataId, shape: number[]): Float32Array {
  return backend.readSync({ id, shape, dtype: 'float32' }) as Float32Array;
}

function assertClose(got: Float32Array, expected: Float32Array, atol: number, what: string): void {
  assert.equal(got.length, expected.length, what);
  for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i]! - expected[i]!) <= atol, `${what}: [${i}] ${got[i]} vs ${expected[i]}`);
}

function hogOf(backend: Backend, image: Float32Array, height: number, width: number, cellSize: number): Float32Array {
  const shape = [Math.floor(height / cellSize), Math.floor(width / cellSize), HOG_CHANNELS];
  return read(backend, backend.hog(upload(backend, image, [height, width]), { height, width, cellSize }), shape);
}

describe('native HOG detector kernels', { skip: unavailable }, () => {
  const backends = unavailable ? [] : [new NativeBackend({ threads: 1 }), new NativeBackend({ threads: 2 })];

  it('hog: the reference\'s features at every width 2–19 and odd heights, cells of 2, 3 and 5', () => {
    for (const cellSize of [2, 3, 5]) {
      for (let width = cellSize; width <= 19; width++) {
        const height = cellSize + 2 * width - 1;
        const image = pixels(height * width);
        const expected = hogOf(reference, image, height, width, cellSize);
        assertClose(hogOf(backends[0]!, image, height, width, cellSize), expected, 1e-4, `${height}×${width}, cell ${cellSize}`);
      }
    }
  });

  it('hog: a 241×307 frame (row bands on two threads) gives the reference\'s features, the same bits on one thread and two', () => {
    const image = pixels(241 * 307);
    const [one, two] = backends.map((backend) => hogOf(backend, image, 241, 307, 6));
    assertClose(one!, hogOf(reference, image, 241, 307, 6), 1e-4, '241×307');
    assert.deepEqual(two, one);
  });

  it('resizeGray: the reference\'s pixels bit for bit, 8-bit and float, on one thread and two', () => {
    const cases: [ResizeMethod, number, number, number, number][] = [
      ['area', 47, 61, 23, 30], ['area', 40, 50, 13, 7], ['area', 480, 641, 240, 320], ['bilinear', 1, 9, 5, 4], ['bilinear', 19, 23, 29, 37], ['bilinear', 301, 257, 333, 401],
    ];
    for (const [method, height, width, outHeight, outWidth] of cases) {
      const image = pixels(height * width).map((v) => v / 3);
      for (const uint8 of [false, true]) {
        const info = { height, width, outHeight, outWidth, method, uint8 };
        const expected = read(reference, reference.resizeGray(upload(reference, image, [height, width]), info), [outHeight, outWidth]);
        for (const backend of backends) {
          const got = read(backend, backend.resizeGray(upload(backend, image, [height, width]), info), [outHeight, outWidth]);
          assert.deepEqual(got, expected, `${method} ${height}×${width} → ${outHeight}×${outWidth}, uint8 ${uint8}, ${(backend as NativeBackend).threads} thread(s)`);
        }
      }
    }
  });

  it('windowScores: the reference\'s scores at 1–19 positions per row and on a pyramid level split across two threads', () => {
    const cases = [[5, 24, 4, 6, 31], [7, 11, 3, 3, 5], [4, 4, 4, 4, 31], [9, 3, 1, 1, 1], [80, 106, 4, 4, 31]] as const;
    for (const [mapHeight, mapWidth, windowHeight, windowWidth, channels] of cases) {
      for (let width = windowWidth; width <= Math.min(mapWidth, windowWidth + 18); width += mapWidth > 30 ? mapWidth - windowWidth : 1) {
        const map = Float32Array.from({ length: mapHeight * width * channels }, () => random.random() * 0.4);
        const weights = Float32Array.from({ length: windowHeight * windowWidth * channels }, () => random.random() * 2 - 1);
        const info = { mapHeight, mapWidth: width, windowHeight, windowWidth, channels };
        const shape = [mapHeight - windowHeight + 1, width - windowWidth + 1];
        const scores = (backend: Backend): Float32Array =>
          read(backend, backend.windowScores(upload(backend, map, [mapHeight, width, channels]), upload(backend, weights, [windowHeight, windowWidth, channels]), info), shape);
        const expected = scores(reference);
        const [one, two] = backends.map(scores);
        assertClose(one!, expected, 1e-4, `${mapHeight}×${width} map, ${windowHeight}×${windowWidth} window`);
        assert.deepEqual(two, one);
      }
    }
  });
});
