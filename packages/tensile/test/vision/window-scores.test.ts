/** windowScores: a hand-computed map, the same scores on every backend as the reference, and the input checks. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backendNames, getBackend, setBackend, ShapeError, tensor, windowScores } from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';
import { forEachBackend } from '../helpers/backends.js';

function values(length: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return (s % 2001) / 1000 - 1;
  });
}

forEachBackend('windowScores', () => {
  it('scores every window position of a 3×4 map with a 2×2 window, two channels', () => {
    // map[y][x] = [y·4 + x, 1]; weights: channel 0 all 1 (the window's sum of y·4 + x), channel 1 all 10.
    const map = tensor(Array.from({ length: 12 }, (_, i) => [i, 1]).flat(), [3, 4, 2]);
    const weights = tensor([1, 10, 1, 10, 1, 10, 1, 10], [2, 2, 2]);
    const scores = windowScores(map, weights);
    assert.deepEqual(scores.shape, [2, 3]);
    // Window at (y, x) sums (y·4 + x) + (y·4 + x + 1) + ((y + 1)·4 + x) + ((y + 1)·4 + x + 1) = 16y + 4x + 10, plus 4 · 10.
    assertClose(scores.dataSync(), [50, 54, 58, 66, 70, 74], { atol: 1e-5 });
  });

  it('a window as large as the map gives one score', () => {
    const map = values(3 * 5 * 7, 2);
    const weights = values(3 * 5 * 7, 3);
    const expected = map.reduce((sum, v, i) => sum + v * weights[i]!, 0);
    assertClose(windowScores(tensor(map, [3, 5, 7]), tensor(weights, [3, 5, 7])).dataSync(), [expected], { atol: 1e-4 });
  });

  it('checks its input', () => {
    assert.throws(() => windowScores(tensor(new Float32Array(12), [3, 4]), tensor(new Float32Array(4), [2, 2])), ShapeError);
    assert.throws(() => windowScores(tensor(new Float32Array(24), [3, 4, 2]), tensor(new Float32Array(12), [2, 2, 3])), /channels/);
    assert.throws(() => windowScores(tensor(new Float32Array(24), [3, 4, 2]), tensor(new Float32Array(20), [5, 2, 2])), /does not fit/);
  });
});

describe('windowScores on every backend', () => {
  it('matches the reference backend on 31-channel maps (the HOG detector\'s shapes) and odd sizes', () => {
    const previous = getBackend().name;
    try {
      for (const [height, width, windowHeight, windowWidth, channels] of [[20, 27, 6, 6, 31], [9, 7, 3, 5, 4], [6, 6, 6, 6, 31], [13, 40, 1, 1, 3]] as const) {
        const map = values(height * width * channels, height + width);
        const weights = values(windowHeight * windowWidth * channels, channels);
        setBackend('reference');
        const expected = windowScores(tensor(map, [height, width, channels]), tensor(weights, [windowHeight, windowWidth, channels])).dataSync();
        for (const name of backendNames().filter((n) => n !== 'reference')) {
          setBackend(name);
          const got = windowScores(tensor(map, [height, width, channels]), tensor(weights, [windowHeight, windowWidth, channels]));
          assert.deepEqual(got.shape, [height - windowHeight + 1, width - windowWidth + 1]);
          assertClose(got.dataSync(), expected, { atol: 1e-4, message: `${name}, ${height}×${width} map, ${windowHeight}×${windowWidth} window` });
        }
      }
    } finally {
      setBackend(previous);
    }
  });
});
