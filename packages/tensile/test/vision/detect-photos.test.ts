/**
 * Detection on real photographs gives the detections recorded before the HOG kernel was vectorised:
 * a fixed pseudo-random window classifier on three CMU+MIT test photographs (the data root's
 * faces-cmumit-detect), every window above a threshold and the suppressed best eight, on the default
 * backend. fixtures/detections-cmumit.json was written by the scalar kernel (main 6e8ba8e); the
 * thresholds sit in gaps of ≥ 6e-4 between scores, so rounding cannot move a window across them.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { sharedDataset } from 'tensile-test-support';
import { decodeImage, detectFaces, scoreWindows, type Detection, type HogWindowClassifier } from '../../src/index.js';

interface Recorded {
  readonly photos: Record<string, { readonly threshold: number; readonly windows: Detection[]; readonly faces: Detection[] }>;
}

/** The classifier the fixture was recorded with: 6×6 cells of 6 px, weights uniform in ±0.05 from a fixed LCG. */
function fixedClassifier(): HogWindowClassifier {
  let s = 20261206;
  const weights = Float32Array.from({ length: 6 * 6 * 31 }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return (s / 2 ** 31 - 0.5) * 0.1;
  });
  return { cellSize: 6, windowCells: 6, weights, bias: 0 };
}

function assertSameDetections(actual: Detection[], expected: Detection[], what: string): void {
  assert.equal(actual.length, expected.length, `${what}: number of boxes`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    for (const key of ['x', 'y', 'width', 'height'] as const) assert.ok(Math.abs(a[key] - e[key]) <= 1e-9, `${what} box ${i}: ${key} ${a[key]} ≠ ${e[key]}`);
    assert.ok(Math.abs(a.score - e.score) <= 1e-4, `${what} box ${i}: score ${a.score} ≠ ${e.score}`);
  }
}

const photos = sharedDataset('faces-cmumit-detect', 'test_jpg');

describe('vision: detection on CMU+MIT photographs', () => {
  it('gives the recorded windows, boxes and scores (±1e-4)', async (t) => {
    if (!existsSync(photos)) {
      t.skip(`CMU+MIT photographs not found at ${photos}`);
      return;
    }
    const recorded = JSON.parse(await readFile(fileURLToPath(new URL('../../../test/vision/fixtures/detections-cmumit.json', import.meta.url)), 'utf8')) as Recorded;
    const classifier = fixedClassifier();
    for (const [name, { threshold, windows, faces }] of Object.entries(recorded.photos)) {
      const image = decodeImage(new Uint8Array(await readFile(`${photos}/${name}`)), name);
      assertSameDetections(scoreWindows(image, { classifier, threshold }), windows, `${name} windows`);
      assertSameDetections(detectFaces(image, { classifier, threshold, maxDetections: 8 }), faces, `${name} faces`);
    }
  });
});
