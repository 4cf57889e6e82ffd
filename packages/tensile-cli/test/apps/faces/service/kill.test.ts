/**
 * Durability: `kill -9` the service during a burst of enrolments; after a restart every enrolment
 * that was acknowledged is there with all its embeddings and crops, the database passes SQLite's
 * integrity check, and files written for unacknowledged enrolments have been swept.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FaceDatabase } from '../../../../src/apps/faces/service/database.node.js';
import { filesFolderOf } from '../../../../src/apps/faces/service/face-service.node.js';
import { tempDir } from 'tensile-test-support';
import { photoForm, ServiceClient } from './client.js';
import { PASSWORD } from './harness.js';
import { lfwPeople, lfwPhoto } from './lfw-photos.js';

const fixture = fileURLToPath(new URL('serve-fixture.js', import.meta.url));
const WORKERS = 4;
const KILL_AFTER = 24;

async function startFixture(dbFile: string): Promise<{ child: ChildProcess; client: ServiceClient }> {
  const child = spawn(process.execPath, [fixture, dbFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  after(() => child.kill('SIGKILL'));
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening (\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`fixture exited with ${code} before listening`)));
  });
  const client = new ServiceClient(url);
  const response = await client.signIn(PASSWORD);
  assert.equal(response.status, 200);
  return { child, client };
}

describe('faces service under kill -9', () => {
  it('keeps every acknowledged enrolment', async () => {
    const dir = await tempDir('tensile-faces-kill-');
    const dbFile = path.join(dir, 'faces.db');
    const people = await lfwPeople(8);
    const photos = await Promise.all(people.flatMap((p) => p.photos.slice(0, 4)).map(lfwPhoto));

    const { child, client } = await startFixture(dbFile);
    const acknowledged: { id: number; name: string; embeddings: number }[] = [];
    let failed = 0;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const worker = async (w: number): Promise<void> => {
      for (let i = 0; ; i++) {
        const name = `person ${w}-${i}`;
        const pair = [photos[(w * 7 + i) % photos.length]!, photos[(w * 7 + i + 1) % photos.length]!];
        try {
          acknowledged.push(await client.ok('POST', '/api/people', { form: photoForm({ name }, pair) }));
        } catch {
          failed++;
          return;
        }
        if (acknowledged.length === KILL_AFTER) child.kill('SIGKILL');
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
    await exited;
    assert.ok(acknowledged.length >= KILL_AFTER, `${acknowledged.length} acknowledged`);
    assert.equal(failed, WORKERS, 'every worker stopped on a refused connection');

    const restarted = await startFixture(dbFile);
    const { people: stored } = await restarted.client.ok<{ people: { id: number; name: string; embeddings: number; crop: string }[] }>('GET', '/api/people');
    const byId = new Map(stored.map((p) => [p.id, p]));
    for (const ack of acknowledged) {
      const found = byId.get(ack.id);
      assert.ok(found, `acknowledged enrolment ${ack.id} (${ack.name}) lost`);
      assert.deepEqual([found.name, found.embeddings], [ack.name, 2]);
      assert.equal((await restarted.client.request('GET', `/api/crops/${found.crop}`)).status, 200);
    }
    // Identification still finds the people enrolled before the kill.
    const identified = await restarted.client.ok<{ faces: { decision: string; crop: string }[] }>('POST', '/api/identify', { form: photoForm({}, [photos[0]!]) });
    assert.equal(identified.faces[0]!.decision, 'allow');
    restarted.child.kill('SIGKILL');

    const db = new FaceDatabase(dbFile);
    try {
      assert.equal(db.integrityCheck(), 'ok');
      assert.ok(db.crop(identified.faces[0]!.crop) !== undefined, 'the crop of the identification answered before SIGKILL is in the database');
      const referenced = db.referencedFiles();
      const onDisk = (await readdir(filesFolderOf(dbFile), { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
      assert.deepEqual(onDisk.filter((name) => !referenced.has(name)), [], 'files of unacknowledged enrolments were swept');
    } finally {
      db.close();
    }
  });
});
