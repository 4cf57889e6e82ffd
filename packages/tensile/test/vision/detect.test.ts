/** Sliding-window detection: pyramid scales, suppression, boxes in image coordinates, and the empty cases. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectFaces, HOG_CHANNELS, hog, intersectionOverUnion, nonMaximumSuppression, pyramidScales, RawImage, scoreWindows, tensor, ValueError, type HogWindowClassifier } from '../../src/index.js';

/** A gray image: mid-gray background with a bright square of `side` pixels at (x, y). */
function squareImage(width: number, height: number, x: number, y: number, side: number): RawImage {
  const data = new Uint8Array(width * height).fill(90);
  for (let r = y; r < y + side; r++) data.fill(230, r * width + x, r * width + x + side);
  return new RawImage(data, width, height, 1);
}

/** A classifier whose weights are the HOG of a 24×24 template image: it scores windows like the template highest. */
function templateClassifier(template: RawImage, bias: number): HogWindowClassifier {
  const weights = hog(tensor(Float32Array.from(template.data), [template.height, template.width]), { cellSize: 6 }).dataSync() as Float32Array;
  return { cellSize: 6, windowCells: 4, weights, bias };
}

describe('vision: detection', () => {
  it('pyramid scales cover minSize … the shorter side, 2^(1/levelsPerOctave) apart', () => {
    const scales = pyramidScales(200, 100, 36, { minSize: 18, levelsPerOctave: 2 });
    assert.equal(scales[0], 2); // 18-px objects need the image doubled
    assert.ok(Math.abs(scales[1]! - 2 / Math.SQRT2) < 1e-12);
    assert.ok(36 / scales.at(-1)! <= 100 && 36 / (scales.at(-1)! / Math.SQRT2) > 100);
    assert.throws(() => pyramidScales(200, 100, 36, { levelsPerOctave: 0 }), ValueError);
  });

  it('non-maximum suppression keeps the best of overlapping boxes', () => {
    const boxes = [
      { x: 0, y: 0, width: 10, height: 10, score: 1 },
      { x: 1, y: 1, width: 10, height: 10, score: 3 },
      { x: 30, y: 30, width: 10, height: 10, score: 2 },
    ];
    assert.equal(intersectionOverUnion(boxes[0]!, boxes[1]!), 81 / 119);
    assert.deepEqual(nonMaximumSuppression(boxes, 0.3).map((b) => b.score), [3, 2]);
  });

  it('finds a template-like square where it is, at its size, in image coordinates', () => {
    const classifier = templateClassifier(squareImage(24, 24, 4, 4, 16), 0);
    // The square is 32 px in a 24-px window scheme: template 16 px in 24 → a 48-px window around it.
    const image = squareImage(160, 120, 60, 30, 32);
    const [best] = detectFaces(image, { classifier, threshold: -Infinity, minSize: 24 });
    assert.ok(best, 'a detection');
    const truth = { x: 52, y: 22, width: 48, height: 48 };
    assert.ok(intersectionOverUnion(best, truth) > 0.6, `best box ${JSON.stringify(best)} vs ${JSON.stringify(truth)}`);
  });

  it('returns no boxes for a flat image, a face-free threshold, or an image smaller than the window', () => {
    const classifier = templateClassifier(squareImage(24, 24, 4, 4, 16), -1);
    assert.deepEqual(detectFaces(new RawImage(new Uint8Array(100 * 80).fill(128), 100, 80, 1), { classifier }), []);
    assert.deepEqual(detectFaces(squareImage(100, 80, 10, 10, 20), { classifier, threshold: 1e9 }), []);
    assert.deepEqual(scoreWindows(new RawImage(new Uint8Array(20 * 20), 20, 20, 1), { classifier, threshold: -Infinity }), []);
  });

  it('refuses a classifier whose weights do not fit its window', () => {
    const classifier = { cellSize: 6, windowCells: 4, weights: new Float32Array(4 * 4 * HOG_CHANNELS - 1), bias: 0 };
    assert.throws(() => detectFaces(new RawImage(new Uint8Array(50 * 50), 50, 50, 1), { classifier }), /needs 496/);
  });
});
