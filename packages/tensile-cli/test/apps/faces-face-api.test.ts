/**
 * face-api's pretrained networks on Tensile: the TF.js manifest reader on the package's real files,
 * refusal of foreign or broken weights, equality with face-api itself running on TensorFlow.js, and the
 * embedder on a few photos of the LFW identity-training people (never the DevTest pairs).
 */
import assert from 'node:assert/strict';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { centerCrop, ModelFileError, ready, resize, tensor, type RawImage, type Tensor } from 'tensile';
import { datasets, loadTfjsWeights, type Lfw } from 'tensile/node';
import { faceApi } from '../../bench/engines/tfjs-faces.js';
import { embeddingDistance } from '../../src/apps/faces/embedder.js';
import { loadFaceApiEmbedder } from '../../src/apps/faces/face-api/face-api-embedder.node.js';
import { FaceLandmarkNet } from '../../src/apps/faces/face-api/landmark-net.js';
import { FaceRecognitionNet } from '../../src/apps/faces/face-api/recognition-net.js';
import { faceApiManifest, faceApiModelDir } from '../../src/apps/faces/face-api/weights.node.js';
import { sharedDataRoot } from 'tensile-test-support';
import { tempDir } from 'tensile-test-support';

/** max |a − b| / max |a|: the relative difference of two outputs, robust to elements near zero. */
function relativeDifference(expected: ArrayLike<number>, actual: ArrayLike<number>): number {
  assert.equal(actual.length, expected.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(expected[i]! - actual[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return diff / scale;
}

const batch = (images: readonly RawImage[], size: number): Float32Array => {
  const data = new Float32Array(images.length * size * size * 3);
  images.forEach((image, i) => data.set(resize(centerCrop(image, 130, 130), size, size).data, i * size * size * 3));
  return data;
};

let lfw: Lfw;
/** Two photos each of three identity-training people. */
let photos: { image: RawImage; label: number }[];

before(async () => {
  await ready();
  lfw = await datasets.lfw({ root: sharedDataRoot });
  photos = [0, 1, 2].flatMap((person) => [0, 1].map((k) => {
    const file = lfw.identity.files[person * 10 + k]!;
    return { image: lfw.decode(file.path), label: file.label };
  }));
});

describe('TF.js manifests of @vladmandic/face-api', () => {
  for (const model of ['face_recognition_model', 'face_landmark_68_model'] as const) {
    it(`${model}: every tensor equals TensorFlow.js's own decoding (uint8-quantised and float32 entries)`, async () => {
      const file = faceApiManifest(model);
      const ours = await loadTfjsWeights(file);
      const [group] = JSON.parse(await readFile(file, 'utf8')) as [{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }];
      const bin = await readFile(path.join(faceApiModelDir(), group.paths[0]!));
      const theirs = tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), group.weights);
      assert.deepEqual(Object.keys(ours), Object.keys(theirs));
      for (const [name, t] of Object.entries(theirs)) {
        assert.deepEqual(ours[name]!.shape, t.shape, name);
        assert.deepEqual(ours[name]!.dataSync(), t.dataSync(), name);
      }
    });
  }

  it('refuses a truncated shard, a manifest from another network and weights of the wrong shape', async () => {
    const dir = await tempDir('tensile-face-api-');
    const manifest = path.join(dir, 'face_landmark_68_model-weights_manifest.json');
    await copyFile(faceApiManifest('face_landmark_68_model'), manifest);
    const bin = await readFile(path.join(faceApiModelDir(), 'face_landmark_68_model.bin'));
    await writeFile(path.join(dir, 'face_landmark_68_model.bin'), bin.subarray(0, bin.length - 100));
    await assert.rejects(loadTfjsWeights(manifest), (e) => e instanceof ModelFileError && e.message.includes(`need ${bin.length} bytes but the shards hold ${bin.length - 100}`));

    const landmarks = await loadTfjsWeights(faceApiManifest('face_landmark_68_model'));
    assert.throws(() => new FaceRecognitionNet(landmarks, 'lm.json'),
      /lm\.json: not the face recogniser \(face_recognition_model\)'s weights: the manifest lacks conv32_down\/conv\/filters, .*\(117 in all\); has tensors it does not use: dense0\/conv0\/filters/);
    const wrong: Record<string, Tensor> = { ...landmarks, 'dense2/conv1/pointwise_filter': tensor(new Float32Array(128 * 64), [1, 1, 128, 64]) };
    assert.throws(() => new FaceLandmarkNet(wrong, 'lm.json'),
      /lm\.json: tensor 'dense2\/conv1\/pointwise_filter': the 68-point landmark network \(face_landmark_68_model\) needs \[1, 1, 128, 128\], the file holds \[1, 1, 128, 64\]/);
  });
});

describe('face-api on Tensile vs face-api on TensorFlow.js (cpu backend)', () => {
  it('embeddings and landmarks of LFW photos agree within 1e-4 (relative)', async () => {
    const api = faceApi();
    await tf.setBackend('cpu');
    await api.nets.faceRecognitionNet.loadFromDisk(faceApiModelDir());
    await api.nets.faceLandmark68Net.loadFromDisk(faceApiModelDir());
    const recognition = new FaceRecognitionNet(await loadTfjsWeights(faceApiManifest('face_recognition_model')), 'recognition');
    const landmarks = new FaceLandmarkNet(await loadTfjsWeights(faceApiManifest('face_landmark_68_model')), 'landmarks');
    const images = photos.slice(0, 3).map((p) => p.image);
    for (const [size, ours, theirs] of [
      [150, (x: Tensor) => recognition.forward(x), api.nets.faceRecognitionNet],
      [112, (x: Tensor) => landmarks.forward(x), api.nets.faceLandmark68Net],
    ] as const) {
      const input = batch(images, size);
      const actual = ours(tensor(input, [images.length, size, size, 3])).dataSync();
      const per = actual.length / images.length;
      for (let i = 0; i < images.length; i++) {
        // face-api takes one photo per call (a 4-D batch of several is refused).
        const expected = (await theirs.forward(tf.tensor4d(input.subarray(i * size * size * 3, (i + 1) * size * size * 3), [1, size, size, 3]))).dataSync();
        assert.equal(expected.length, per);
        const d = relativeDifference(expected, actual.subarray(i * per, (i + 1) * per));
        assert.ok(d <= 1e-4, `${size}×${size} network, photo ${i}: relative difference ${d}`);
      }
    }
  });
});

describe('FaceApiEmbedder', () => {
  it('gives unit embeddings; same-person photos fall under its threshold, different people above it', async () => {
    const embedder = await loadFaceApiEmbedder();
    assert.equal(embedder.kind, 'face-api');
    const embeddings = await embedder.embed(photos.map((p) => p.image));
    assert.equal(embeddings.length, photos.length);
    for (const e of embeddings) {
      assert.equal(e.length, 128);
      assert.ok(Math.abs(Math.hypot(...e) - 1) < 1e-5);
    }
    for (let i = 0; i < photos.length; i++) {
      for (let j = i + 1; j < photos.length; j++) {
        const d = embeddingDistance(embeddings[i]!, embeddings[j]!);
        const same = photos[i]!.label === photos[j]!.label;
        assert.ok(same ? d < embedder.threshold : d > embedder.threshold, `photos ${i}, ${j} (${same ? 'same person' : 'different people'}): distance ${d.toFixed(3)}, threshold ${embedder.threshold}`);
      }
    }
  });

  it('puts the landmarks of a photo on its face: eyes above the nose tip, the nose above the mouth, all inside the photo', async () => {
    const embedder = await loadFaceApiEmbedder();
    const [points] = embedder.landmarks([photos[0]!.image]);
    assert.equal(points!.length, 68);
    const eyeY = (points![36]!.y + points![45]!.y) / 2;
    assert.ok(eyeY < points![30]!.y && points![30]!.y < points![62]!.y, 'eye, nose tip and mouth in order');
    assert.ok(points![36]!.x < points![45]!.x, "the subject's right eye is on the image's left");
    for (const p of points!) assert.ok(p.x > 0 && p.y > 0 && p.x < 250 && p.y < 250);
  });

  it("embeds a face at a detector's box like the centred photo, and reframes a box off the face", async () => {
    const embedder = await loadFaceApiEmbedder();
    const images = photos.map((p) => p.image);
    const centred = await embedder.embed(images);
    // detector-seed1 boxes an LFW face as about the centre 130-pixel square.
    const boxed = await embedder.embedFaces(images.map((photo) => ({ photo, box: { x: 65, y: 65, width: 130, height: 130 } })));
    // 40 pixels to the right: only a second landmark pass finds the face's square again (one pass: 0.20–0.32 from the centred embedding).
    const off = await embedder.embedFaces(images.map((photo) => ({ photo, box: { x: 105, y: 65, width: 130, height: 130 } })));
    for (const [i, e] of centred.entries()) {
      assert.ok(Math.abs(Math.hypot(...boxed[i]!) - 1) < 1e-5);
      const near = embeddingDistance(e, boxed[i]!);
      const far = embeddingDistance(e, off[i]!);
      assert.ok(near < 0.12 && far < 0.15, `photo ${i}: distance to the centred embedding ${near.toFixed(3)} at the detector's box, ${far.toFixed(3)} at a box off the face`);
    }
  });
});
