/**
 * End to end through the library calls: a tiny detector trained on a slice of the Caltech crops and
 * scenes finds a held-out face pasted into a held-out scene; metrics on hand-made cases; bad photos
 * and model files are refused naming the file and what it is.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { DataError, encodeSafetensors, intersectionOverUnion, ModelFileError, RawImage, resize, setDataRoot, tensor } from 'tensile/node';
import { averagePrecision, matchDetections, recallAtFalsePositives } from '../../src/apps/faces/detector/average-precision.js';
import { loadDetectorData, type DetectorData } from '../../src/apps/faces/detector/data.node.js';
import { FaceDetector } from '../../src/apps/faces/detector/model-file.node.js';
import { decodePhoto } from '../../src/apps/faces/detector/photos.node.js';
import { DETECTOR_RECIPE } from '../../src/apps/faces/detector/recipe.js';
import { trainFaceDetector } from '../../src/apps/faces/detector/training.node.js';
import { pasteFace } from '../../src/apps/faces/detector/validation-photos.js';
import { sharedDataRoot, sharedDataset, tempDir } from 'tensile-test-support';

const dir = await tempDir('tensile-faces-');

describe('face detector (library calls)', () => {
  let data: DetectorData;
  let detector: FaceDetector;
  before(async () => {
    setDataRoot(sharedDataRoot);
    data = await loadDetectorData({ faces: 300, scenes: 20 });
    detector = trainFaceDetector(data, { ...DETECTOR_RECIPE, initialNegatives: 2000, maxMiningRounds: 1 }, 1);
  });

  it('scores a held-out face pasted into a held-out scene above every other window; a flat image has no faces', () => {
    const scene = data.heldOutScenes[0]!.image;
    const photo = new RawImage(scene.data.slice(), scene.width, scene.height, 1);
    const side = 72;
    const box = { x: Math.floor((scene.width - side) / 3), y: Math.floor((scene.height - side) / 2), width: side, height: side };
    pasteFace(photo, resize(data.heldOutFaces[0]!, side, side), box.x, box.y);
    const [best] = detector.detect(photo, { threshold: -Infinity });
    assert.ok(best && intersectionOverUnion(best, box) >= 0.5, `best window ${JSON.stringify(best)}, face at ${JSON.stringify(box)}`);
    const flat = new RawImage(new Uint8Array(320 * 240).fill(120), 320, 240, 1);
    assert.deepEqual(detector.detect(flat), []);
  });

  it('saves and loads the model file with the same detections', async () => {
    const file = path.join(dir, 'tiny.safetensors');
    await detector.save(file);
    const loaded = await FaceDetector.load(file);
    assert.deepEqual(loaded.config, detector.config);
    const scene = data.trainScenes[0]!.image;
    assert.deepEqual(loaded.detect(scene, { threshold: -0.5 }), detector.detect(scene, { threshold: -0.5 }));
  });

  it('refuses model files that are not face detectors, saying what they are', async () => {
    const plain = path.join(dir, 'plain.safetensors');
    await writeFile(plain, encodeSafetensors({ w: tensor([1, 2]) }));
    await assert.rejects(FaceDetector.load(plain), (e: unknown) => e instanceof ModelFileError && /plain\.safetensors.*a plain safetensors file of tensors, not a face detector/.test(e.message));
    const ids = path.join(dir, 'ids.safetensors');
    await writeFile(ids, encodeSafetensors({ w: tensor([1]) }, { 'tensile.ids': '{}' }));
    await assert.rejects(FaceDetector.load(ids), /an intrusion-detector model \(metadata tensile\.ids\), not a face detector/);
    const text = path.join(dir, 'notes.safetensors');
    await writeFile(text, 'hello');
    await assert.rejects(FaceDetector.load(text), ModelFileError);
  });

  it('refuses photos that are not images, truncated or too large, naming the file', async () => {
    const jpeg = await readFile(sharedDataset('faces-cmumit-detect', 'test_jpg', 'albert.jpg'));
    assert.throws(() => decodePhoto(new TextEncoder().encode('not a photo'), 'a.txt'), (e: unknown) => e instanceof DataError && /a\.txt/.test(e.message));
    assert.throws(() => decodePhoto(jpeg.subarray(0, jpeg.length >> 1), 'half.jpg'), /half\.jpg.*truncated/);
    assert.throws(() => decodePhoto(jpeg, 'albert.jpg', 1000), /albert\.jpg.*megapixels, above the limit/);
  });
});

describe('detection metrics', () => {
  const truth = [{ x: 0, y: 0, width: 10, height: 10 }];
  it('VOC AP: a duplicate is a false positive, an unmatched face lowers recall', () => {
    const results = [
      { truth, detections: [{ x: 0, y: 0, width: 10, height: 10, score: 3 }, { x: 1, y: 0, width: 10, height: 10, score: 2 }] },
      { truth: [{ x: 50, y: 50, width: 10, height: 10 }], detections: [{ x: 0, y: 0, width: 10, height: 10, score: 1 }] },
    ];
    const m = matchDetections(results, 0.5);
    assert.deepEqual([...m.truePositive], [1, 0, 0]);
    assert.equal(averagePrecision(m), 0.5); // recall 0.5 at precision 1, never more
    assert.equal(recallAtFalsePositives(m, 0.5), 0.5);
    assert.equal(averagePrecision(matchDetections([{ truth, detections: [] }], 0.5)), 0);
  });
});
