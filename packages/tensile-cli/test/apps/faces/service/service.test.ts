/** The service's JSON API end to end over HTTP, with the deterministic test pipeline and real LFW photographs. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readdir } from 'node:fs/promises';
import { FaceDatabase } from '../../../../src/apps/faces/service/database.node.js';
import { filesFolderOf } from '../../../../src/apps/faces/service/face-service.node.js';
import { MIGRATIONS } from '../../../../src/apps/faces/service/migrations.js';
import { serveFaces } from '../../../../src/apps/faces/service/serve.node.js';
import { photoForm, ServiceClient } from './client.js';
import { fakePipeline } from './fake-pipeline.js';
import { PASSWORD, startHarness } from './harness.js';
import { gradientJpeg } from './images.js';
import { lfwPeople, lfwPhoto } from './lfw-photos.js';

interface Person { id: number; name: string; embeddings: number; crop: string | null }
interface Face { decisionId: number; nearest: { personId: number; name: string; distance: number } | null; recognised: boolean; decision: string; decidedBy: string | null; crop: string }
interface Decision { id: number; outcome: string; decidedBy: string | null; personName: string | null }

const [alice, bob] = await lfwPeople(2);
const filesIn = async (dir: string): Promise<string[]> => (await readdir(dir, { recursive: true })).sort();
const photosOf = (person: { photos: string[] }, from: number, to: number): Promise<Uint8Array[]> => Promise.all(person.photos.slice(from, to).map(lfwPhoto));

describe('faces service API', async () => {
  const { admin, dbFile, running } = await startHarness();
  const stranger = gradientJpeg();

  it('enrols people from several photographs, lists, renames and adds photographs', async () => {
    const a = await admin.ok<Person>('POST', '/api/people', { form: photoForm({ name: alice!.name }, await photosOf(alice!, 0, 3)) });
    assert.equal(a.name, alice!.name);
    assert.equal(a.embeddings, 3);
    assert.match(a.crop!, /^[0-9a-f]{64}$/);
    const b = await admin.ok<Person>('POST', '/api/people', { form: photoForm({ name: 'Someone' }, await photosOf(bob!, 0, 2)) });
    const renamed = await admin.ok<Person>('PATCH', `/api/people/${b.id}`, { json: { name: bob!.name } });
    assert.equal(renamed.name, bob!.name);
    const more = await admin.ok<Person>('POST', `/api/people/${b.id}/photos`, { form: photoForm({}, await photosOf(bob!, 2, 3)) });
    assert.equal(more.embeddings, 3);
    const { people } = await admin.ok<{ people: Person[] }>('GET', '/api/people');
    assert.deepEqual(people.map((p) => [p.name, p.embeddings]), [[alice!.name, 3], [bob!.name, 3]].sort());
    const crop = await admin.request('GET', `/api/crops/${a.crop}`);
    assert.equal(crop.headers.get('content-type'), 'image/png');
    assert.deepEqual([...new Uint8Array(await crop.arrayBuffer()).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  });

  it('identifies an enrolled photograph as allow and queues a stranger for review', async () => {
    const filesBefore = await filesIn(filesFolderOf(dbFile));
    const known = await admin.ok<{ faces: Face[] }>('POST', '/api/identify', { form: photoForm({}, [await lfwPhoto(alice!.photos[1]!)]) });
    assert.equal(known.faces.length, 1);
    assert.equal(known.faces[0]!.nearest!.name, alice!.name);
    assert.ok(known.faces[0]!.nearest!.distance < 1e-6, `distance ${known.faces[0]!.nearest!.distance}`);
    assert.deepEqual([known.faces[0]!.decision, known.faces[0]!.decidedBy, known.faces[0]!.recognised], ['allow', 'auto', true]);

    const unknown = await admin.ok<{ faces: Face[] }>('POST', '/api/identify', { form: photoForm({}, [stranger]) });
    const face = unknown.faces[0]!;
    assert.ok(face.nearest!.distance > running.service.policy.threshold, `stranger at ${face.nearest!.distance}`);
    assert.deepEqual([face.decision, face.decidedBy, face.recognised], ['review', null, false]);
    // The crops of identifications are stored with their decisions in the database, not as files.
    assert.deepEqual(await filesIn(filesFolderOf(dbFile)), filesBefore);
    const db = new FaceDatabase(dbFile);
    assert.ok(db.crop(face.crop) !== undefined && db.crop(known.faces[0]!.crop) !== undefined);
    db.close();
    const crop = await admin.request('GET', `/api/crops/${face.crop}`);
    assert.equal(crop.headers.get('content-type'), 'image/png');
    assert.deepEqual([...new Uint8Array(await crop.arrayBuffer()).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    const { decisions: queue } = await admin.ok<{ decisions: Decision[] }>('GET', '/api/decisions?pending=true');
    assert.deepEqual(queue.map((d) => d.id), [face.decisionId]);

    const denied = await admin.ok<Decision>('POST', `/api/decisions/${face.decisionId}`, { json: { outcome: 'deny' } });
    assert.deepEqual([denied.outcome, denied.decidedBy], ['deny', 'admin']);
    const again = await admin.request('POST', `/api/decisions/${face.decisionId}`, { json: { outcome: 'allow' } });
    assert.equal(again.status, 409);
    assert.equal((await admin.ok<{ decisions: Decision[] }>('GET', '/api/decisions?pending=true')).decisions.length, 0);
    const { decisions: log } = await admin.ok<{ decisions: Decision[] }>('GET', `/api/decisions?after=${known.faces[0]!.decisionId - 1}`);
    assert.deepEqual(log.map((d) => d.outcome), ['deny', 'allow']);
  });

  it('answers concurrent identifications (batched through the pipeline) like single ones', async () => {
    const photos = await Promise.all([alice!.photos[0]!, bob!.photos[1]!, alice!.photos[2]!, bob!.photos[0]!].map(lfwPhoto));
    const answers = await Promise.all(photos.map((photo) => admin.ok<{ faces: Face[] }>('POST', '/api/identify', { form: photoForm({}, [photo]) })));
    assert.deepEqual(answers.map((a) => [a.faces[0]!.nearest!.name, a.faces[0]!.decision]), [[alice!.name, 'allow'], [bob!.name, 'allow'], [alice!.name, 'allow'], [bob!.name, 'allow']]);
    assert.equal(new Set(answers.map((a) => a.faces[0]!.decisionId)).size, 4);
  });

  it('follows the policy: unknown faces denied, auto-decide off queues everyone, bad settings refused', async () => {
    const { policy, allowDistanceNow, allowBySizeAvailable } = await admin.ok<{ policy: { threshold: number; allowDistance: number | string }; allowDistanceNow: number; allowBySizeAvailable: boolean }>('GET', '/api/settings');
    assert.equal(policy.threshold, fakePipeline().threshold);
    // The test pipeline has no open-set rule: the allow distance is its threshold, and cannot follow the gallery size.
    assert.deepEqual([policy.allowDistance, allowDistanceNow, allowBySizeAvailable], [policy.threshold, policy.threshold, false]);
    const bySize = await admin.request('PUT', '/api/settings', { json: { ...policy, allowDistance: 'gallery-size' } });
    assert.equal(bySize.status, 400);
    assert.match(((await bySize.json()) as { message: string }).message, /'gallery-size' needs an embedder calibrated for identification/);
    await admin.ok('PUT', '/api/settings', { json: { ...policy, unknownFaces: 'deny' } });
    const denied = await admin.ok<{ faces: Face[] }>('POST', '/api/identify', { form: photoForm({}, [stranger]) });
    assert.deepEqual([denied.faces[0]!.decision, denied.faces[0]!.decidedBy], ['deny', 'auto']);
    await admin.ok('PUT', '/api/settings', { json: { ...policy, unknownFaces: 'deny', autoDecide: false } });
    const queued = await admin.ok<{ faces: Face[] }>('POST', '/api/identify', { form: photoForm({}, [await lfwPhoto(alice!.photos[0]!)]) });
    assert.deepEqual([queued.faces[0]!.nearest!.name, queued.faces[0]!.recognised, queued.faces[0]!.decision], [alice!.name, true, 'review']);
    const bad = await admin.request('PUT', '/api/settings', { json: { ...policy, allowDistance: policy.threshold * 2 } });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { message: string }).message, /allowDistance must be in/);
    await admin.ok('PUT', '/api/settings', { json: { threshold: policy.threshold, autoDecide: true, allowDistance: policy.threshold, unknownFaces: 'review' } });
  });

  it('deletes a person: no longer recognised, past decisions keep the name', async () => {
    const { people } = await admin.ok<{ people: Person[] }>('GET', '/api/people');
    const a = people.find((p) => p.name === alice!.name)!;
    await admin.ok('DELETE', `/api/people/${a.id}`);
    assert.equal((await admin.request('DELETE', `/api/people/${a.id}`)).status, 404);
    const after = await admin.ok<{ faces: Face[] }>('POST', '/api/identify', { form: photoForm({}, [await lfwPhoto(alice!.photos[1]!)]) });
    assert.notEqual(after.faces[0]!.nearest?.name, alice!.name);
    const { decisions } = await admin.ok<{ decisions: Decision[] }>('GET', '/api/decisions?limit=500');
    assert.ok(decisions.some((d) => d.personName === alice!.name && d.outcome === 'allow'));
  });

  it('keeps everything across a restart, with the schema at the newest migration', async () => {
    const before = await admin.ok<{ people: Person[] }>('GET', '/api/people');
    const decisionsBefore = (await admin.ok<{ decisions: Decision[] }>('GET', '/api/decisions?limit=500')).decisions;
    await running.close();
    const db = new FaceDatabase(dbFile);
    assert.equal(db.schemaVersion, MIGRATIONS.length);
    assert.equal(db.integrityCheck(), 'ok');
    db.close();
    const again = await serveFaces({ db: dbFile, pipeline: fakePipeline(), port: 0, host: '127.0.0.1', password: PASSWORD });
    try {
      const client = new ServiceClient(again.url);
      assert.equal((await client.signIn(PASSWORD)).status, 200);
      assert.deepEqual(await client.ok('GET', '/api/people'), before);
      assert.deepEqual((await client.ok<{ decisions: Decision[] }>('GET', '/api/decisions?limit=500')).decisions, decisionsBefore);
      const known = await client.ok<{ faces: Face[] }>('POST', '/api/identify', { form: photoForm({}, [await lfwPhoto(bob!.photos[0]!)]) });
      assert.equal(known.faces[0]!.decision, 'allow');
    } finally {
      await again.close();
    }
  });
});

describe('faces service under overload', async () => {
  // A pipeline that holds every batch until released: requests pile up behind the first.
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  const test = fakePipeline();
  const pipeline = { ...test, analyse: async (photos: Parameters<typeof test.analyse>[0]) => (await held, test.analyse(photos)) };
  const { admin } = await startHarness({ pipeline, maxPending: 3 });

  it('answers 503 with Retry-After once the queue is full, logs nothing for it, and answers the queued ones', async () => {
    const photo = gradientJpeg();
    const identify = (): Promise<Response> => admin.request('POST', '/api/identify', { form: photoForm({}, [photo]) });
    const first = identify();
    // The first photograph is being analysed, two more wait: three in the pipeline's hands, so the fourth is refused.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const queued = [identify(), identify()];
    await new Promise((resolve) => setTimeout(resolve, 200));
    const refused = await identify();
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.match(((await refused.json()) as { message: string }).message, /busy: 3 photographs are waiting or being analysed/);
    release();
    const answered = await Promise.all([first, ...queued]);
    assert.deepEqual(answered.map((r) => r.status), [200, 200, 200]);
    assert.equal((await admin.ok<{ decisions: unknown[] }>('GET', '/api/decisions')).decisions.length, 3);
  });
});
