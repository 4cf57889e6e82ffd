/**
 * The service's pipeline from an embedder and a detector: every face the detector finds is embedded,
 * largest first, by the embedder's own `embedFaces` or framed the LFW way; and the service identifies
 * each face of a photograph. The detector here is a stub function: these tests are about the pipeline
 * and the service, not the detector (the detector has its own, apps/faces/detector and cli/faces-detector).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import jpeg from 'jpeg-js';
import { RawImage } from 'tensile';
import type { DetectedFace, FaceEmbedder } from '../../../../src/apps/faces/embedder.js';
import { lfwFrameOf } from '../../../../src/apps/faces/lfw-frame.js';
import { centreBox, embedderPipeline, type FaceDetector } from '../../../../src/apps/faces/embedder-pipeline.js';
import type { FaceBox } from '../../../../src/apps/faces/face-pipeline.js';
import { photoForm } from './client.js';
import { gridEmbedding } from './fake-pipeline.js';
import { startHarness } from './harness.js';

/** A 120×80 RGB photograph: a left-to-right gradient in the left 60 columns, a checkerboard of 10-pixel squares in the rest. */
function twoPatterns(): RawImage {
  const width = 120;
  const height = 80;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = x < 60 ? Math.round((255 * x) / 59) : (Math.floor(x / 10) + Math.floor(y / 10)) % 2 === 0 ? 230 : 20;
      data.set([v, v, 255 - v], (y * width + x) * 3);
    }
  }
  return new RawImage(data, width, height, 3);
}

const GRADIENT: FaceBox = { x: 0, y: 10, width: 60, height: 60 };
/** Reaches 10 pixels past the right edge: the crop is cut to the photograph. */
const CHECKERS: FaceBox = { x: 80, y: 20, width: 50, height: 50 };
const OUTSIDE: FaceBox = { x: 130, y: 0, width: 40, height: 40 };

interface EmbedderCalls {
  embed: RawImage[];
  embedFaces: DetectedFace[];
}

function gridEmbedder(withEmbedFaces: boolean): { embedder: FaceEmbedder; calls: EmbedderCalls } {
  const calls: EmbedderCalls = { embed: [], embedFaces: [] };
  const embedder: FaceEmbedder = {
    kind: 'trained',
    size: 16,
    threshold: 0.3,
    async embed(images) {
      calls.embed.push(...images);
      return images.map(gridEmbedding);
    },
    ...(withEmbedFaces && {
      async embedFaces(faces: readonly DetectedFace[]) {
        calls.embedFaces.push(...faces);
        return faces.map(({ photo, box }) => gridEmbedding(lfwFrameOf(photo, box)));
      },
    }),
  };
  return { embedder, calls };
}

// Smallest first, as a detector ordering by score might give them.
const detector: FaceDetector = () => [CHECKERS, OUTSIDE, GRADIENT];

describe('embedderPipeline', () => {
  it('without a detector: the centre box, and the embedder gets the whole photograph', async () => {
    const { embedder, calls } = gridEmbedder(true);
    const photo = twoPatterns();
    const [faces] = await embedderPipeline(embedder).analyse([photo]);
    assert.deepEqual(faces!.map((f) => f.box), [centreBox(photo)]);
    assert.deepEqual(calls.embed, [photo]);
    assert.equal(calls.embedFaces.length, 0);
  });

  it('with a detector: every face inside the photograph, largest first, each cropped to the photograph', async () => {
    const { embedder, calls } = gridEmbedder(true);
    const pipeline = embedderPipeline(embedder, detector);
    assert.equal(pipeline.embedder, 'trained+detector');
    const photo = twoPatterns();
    const [faces] = await pipeline.analyse([photo]);
    assert.deepEqual(faces!.map((f) => f.box), [GRADIENT, CHECKERS]);
    assert.deepEqual(faces!.map((f) => [f.crop.width, f.crop.height]), [[60, 60], [40, 50]]);
    assert.deepEqual(calls.embedFaces.map((f) => f.box), [GRADIENT, CHECKERS]);
    assert.equal(calls.embed.length, 0);
    assert.deepEqual(faces![0]!.embedding, gridEmbedding(lfwFrameOf(photo, GRADIENT)));
  });

  it('frames each face the LFW way for an embedder without embedFaces: the box is the centre 45% of a 250×250 frame', async () => {
    const { embedder, calls } = gridEmbedder(false);
    const photo = twoPatterns();
    await embedderPipeline(embedder, detector).analyse([photo]);
    assert.equal(calls.embed.length, 2);
    assert.deepEqual(calls.embed.map((frame) => [frame.width, frame.height]), [[250, 250], [250, 250]]);
    // The gradient box (60 pixels, centre (30, 40)) spans 45% of the frame: the frame's centre is the box's, its pixel 10 lies beyond the photograph.
    const frame = calls.embed[0]!;
    const at = (x: number, y: number): number => frame.data[(y * 250 + x) * 3]!;
    assert.ok(Math.abs(at(125, 125) - photo.data[(40 * 120 + 30) * 3]!) <= 3, `centre ${at(125, 125)}`);
    assert.ok(Math.abs(at(125 + 54, 125) - photo.data[(40 * 120 + 59) * 3]!) <= 5, `box's right edge ${at(125 + 54, 125)}`);
    assert.equal(at(10, 125), 0, 'beyond the photograph: black');
  });

  it('gives no faces, and embeds nothing, when the detector finds none', async () => {
    const { embedder, calls } = gridEmbedder(true);
    const found = await embedderPipeline(embedder, () => []).analyse([twoPatterns(), twoPatterns()]);
    assert.deepEqual(found, [[], []]);
    assert.equal(calls.embed.length + calls.embedFaces.length, 0);
  });
});

describe('the service with a detector', async () => {
  const { embedder } = gridEmbedder(true);
  const { admin } = await startHarness({ pipeline: embedderPipeline(embedder, detector) });
  const photo = twoPatterns();
  const bytes = new Uint8Array(jpeg.encode({ data: rgba(photo), width: photo.width, height: photo.height }, 95).data);

  it('enrols the largest face and identifies every face of a photograph, one decision each', async () => {
    await admin.ok('POST', '/api/people', { form: photoForm({ name: 'Gradient' }, [bytes]) });
    const { faces } = await admin.ok<{ faces: { box: FaceBox; decision: string; nearest: { name: string; distance: number } | null }[] }>('POST', '/api/identify', { form: photoForm({}, [bytes]) });
    assert.deepEqual(faces.map((f) => f.box), [GRADIENT, CHECKERS]);
    assert.ok(faces[0]!.nearest!.distance < 0.05, `the enrolled face at ${faces[0]!.nearest!.distance}`);
    assert.deepEqual(faces.map((f) => f.decision), ['allow', 'review']);
    const { decisions } = await admin.ok<{ decisions: unknown[] }>('GET', '/api/decisions');
    assert.equal(decisions.length, 2);
  });

  it('answers a photograph without faces with no faces and logs nothing', async () => {
    const { admin: other } = await startHarness({ pipeline: embedderPipeline(embedder, () => []) });
    const { faces } = await other.ok<{ faces: unknown[] }>('POST', '/api/identify', { form: photoForm({}, [bytes]) });
    assert.deepEqual(faces, []);
    assert.equal((await other.ok<{ decisions: unknown[] }>('GET', '/api/decisions')).decisions.length, 0);
  });
});

function rgba(image: RawImage): Uint8Array {
  return new Uint8Array(image.width * image.height * 4).map((_, i) => (i % 4 === 3 ? 255 : image.data[3 * Math.floor(i / 4) + (i % 4)]!));
}
