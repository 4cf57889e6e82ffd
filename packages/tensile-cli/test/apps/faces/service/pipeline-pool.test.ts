/**
 * The service's pool of identification workers: the same answers as the pipeline on the main thread,
 * concurrent or not; a worker that dies fails its request with a 500 saying so and is replaced.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import type { RawImage } from 'tensile';
import { sharedDataset } from 'tensile-test-support';
import { PipelinePool } from '../../../../src/apps/faces/service/pipeline-pool.node.js';
import { loadFacePipeline } from '../../../../src/apps/faces/load-face-pipeline.node.js';
import { startServicePool } from '../../../../src/apps/faces/service/pipeline-pool.node.js';
import { decodePhoto, DEFAULT_UPLOAD_LIMITS } from '../../../../src/apps/faces/service/uploads.js';
import { photoForm } from './client.js';
import { startHarness } from './harness.js';
import { gradientJpeg } from './images.js';
import { lfwPeople, lfwPhoto } from './lfw-photos.js';

interface Face { nearest: { name: string; distance: number } | null; decision: string }

const CRASH_WIDTH = 97;
const lfwPresent = existsSync(sharedDataset('faces-lfw'));
const people = lfwPresent ? await lfwPeople(2) : [];
const photos = (paths: readonly string[]): Promise<RawImage[]> => Promise.all(paths.map(async (p, i) => decodePhoto(await lfwPhoto(p), i + 1, DEFAULT_UPLOAD_LIMITS)));

describe('identification worker pool', { skip: lfwPresent ? false : `faces-lfw not found under ${sharedDataset('faces-lfw')}` }, async () => {
  const pool = await PipelinePool.start({ script: new URL('./crashing-pipeline-worker.js', import.meta.url), workerData: { crashWidth: CRASH_WIDTH }, workers: 2 });
  after(() => pool.close());
  const { admin } = await startHarness({ pipeline: pool });
  const [alice, bob] = people;

  it('answers concurrent identifications as sequential ones', async () => {
    await admin.ok('POST', '/api/people', { form: photoForm({ name: alice!.name }, [await lfwPhoto(alice!.photos[0]!)]) });
    await admin.ok('POST', '/api/people', { form: photoForm({ name: bob!.name }, [await lfwPhoto(bob!.photos[0]!)]) });
    const probes = await Promise.all([alice!.photos[1]!, bob!.photos[1]!, alice!.photos[2]!, bob!.photos[2]!, alice!.photos[0]!, bob!.photos[3]!].map(lfwPhoto));
    const identify = async (photo: Uint8Array): Promise<string> => {
      const { faces } = await admin.ok<{ faces: Face[] }>('POST', '/api/identify', { form: photoForm({}, [photo]) });
      return JSON.stringify(faces.map((f) => [f.nearest?.name, f.nearest?.distance, f.decision]));
    };
    const sequential = [];
    for (const photo of probes) sequential.push(await identify(photo));
    const concurrent = await Promise.all(probes.map(identify));
    assert.deepEqual(concurrent, sequential);
    assert.equal(pool.parallelism, 2);
  });

  it('answers 500 with a message when a worker dies, and replaces it', async () => {
    const response = await admin.request('POST', '/api/identify', { form: photoForm({}, [gradientJpeg(CRASH_WIDTH, 120)]) });
    assert.equal(response.status, 500);
    const body = (await response.json()) as { error: string; message: string };
    assert.equal(body.error, 'worker-crashed');
    assert.match(body.message, /identification worker stopped .*exit code 3.*replaced/);
    // Both workers serve again: two photographs at once are answered.
    const again = await Promise.all([gradientJpeg(), gradientJpeg(80, 80)].map((photo) => admin.ok<{ faces: Face[] }>('POST', '/api/identify', { form: photoForm({}, [photo]) })));
    assert.deepEqual(again.map((a) => a.faces.length), [1, 1]);
    assert.equal(pool.replacements, 1);
  });
});

describe('face-api pipeline on workers', { skip: lfwPresent ? false : 'faces-lfw not found' }, () => {
  it('gives the embeddings of the pipeline on this thread', async () => {
    const images = await photos(people.flatMap((p) => p.photos.slice(0, 2)));
    const pool = await startServicePool({ embedder: 'face-api' }, 2);
    try {
      const here = await loadFacePipeline({ embedder: 'face-api' });
      assert.equal(pool.embedder, here.embedder);
      assert.equal(pool.threshold, here.threshold);
      const expected = await here.analyse(images);
      const onWorkers = await Promise.all(images.map(async (image) => (await pool.analyse([image]))[0]!));
      for (const [i, faces] of onWorkers.entries()) {
        assert.deepEqual(faces.map((f) => f.box), expected[i]!.map((f) => f.box));
        const worst = Math.max(...faces[0]!.embedding.map((v, k) => Math.abs(v - expected[i]![0]!.embedding[k]!)));
        assert.ok(worst < 1e-4, `photograph ${i}: embeddings differ by ${worst}`);
      }
    } finally {
      await pool.close();
    }
  });
});
