/**
 * The service's security promises, each tried as an attacker would: admin calls without a session,
 * forged cross-site forms, camera tokens kept to identification, oversized and non-image uploads
 * (refused, nothing left behind), client file names, sign-in rate limit, the stored password.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FaceDatabase } from '../../../../src/apps/faces/service/database.node.js';
import { filesFolderOf } from '../../../../src/apps/faces/service/face-service.node.js';
import { photoForm, ServiceClient } from './client.js';
import { PASSWORD, startHarness } from './harness.js';
import { pngClaiming } from './images.js';
import { lfwPeople, lfwPhoto } from './lfw-photos.js';

const [person] = await lfwPeople(1);
const photo = await lfwPhoto(person!.photos[0]!);

async function filesOnDisk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

async function errorOf(response: Response): Promise<{ status: number; error: string; message: string }> {
  const body = (await response.json()) as { error: string; message: string };
  return { status: response.status, ...body };
}

describe('faces service security', async () => {
  const limits = { maxBytes: 200_000, maxFiles: 3, maxPixels: 1_000_000 };
  const { admin, dbFile, running } = await startHarness({ limits, signInLimit: { max: 4, windowMs: 60_000 } });
  const anonymous = new ServiceClient(running.url);
  const files = filesFolderOf(dbFile);
  const peopleCount = async (): Promise<number> => (await admin.ok<{ people: unknown[] }>('GET', '/api/people')).people.length;

  it('answers 401 to every admin call without a session, and to a made-up session', async () => {
    const calls: [string, string][] = [
      ['GET', '/api/people'], ['POST', '/api/people'], ['PATCH', '/api/people/1'], ['DELETE', '/api/people/1'], ['POST', '/api/people/1/photos'],
      ['POST', '/api/identify'], ['GET', '/api/decisions'], ['POST', '/api/decisions/1'], ['GET', '/api/settings'], ['PUT', '/api/settings'],
      ['GET', '/api/tokens'], ['POST', '/api/tokens'], ['DELETE', '/api/tokens/1'], ['GET', '/api/session'], ['PUT', '/api/password'], ['GET', `/api/crops/${'0'.repeat(64)}`],
    ];
    for (const [method, route] of calls) {
      const response = await anonymous.request(method, route, { json: method === 'GET' || method === 'DELETE' ? undefined : {} });
      assert.equal(response.status, 401, `${method} ${route}`);
    }
    const forged = new ServiceClient(running.url);
    forged.cookie = 'not-a-session';
    assert.equal((await forged.request('GET', '/api/people')).status, 401);
    assert.equal((await anonymous.request('GET', '/api/health')).status, 200);
  });

  it('sets the session cookie HttpOnly, Secure and SameSite=Strict, and stores only a scrypt hash of the password', async () => {
    const response = await new ServiceClient(running.url).signIn(PASSWORD);
    const cookie = response.headers.get('set-cookie')!;
    for (const attribute of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/']) assert.ok(cookie.includes(attribute), `${attribute} in ${cookie}`);
    const stored = running.service.db.setting<string>('password')!;
    assert.match(stored, /^scrypt\$32768\$8\$1\$/);
    assert.ok(!stored.includes(PASSWORD));
  });

  it('refuses a forged cross-site form and a state change without the CSRF token, changing nothing', async () => {
    const forgedForm = await admin.request('POST', '/api/people', {
      form: photoForm({ name: 'Mallory' }, [photo]),
      noCsrf: true,
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    assert.deepEqual(await errorOf(forgedForm), { status: 403, error: 'cross-site', message: 'state changes from another site are refused' });
    const urlEncoded = await admin.request('PUT', '/api/settings', {
      noCsrf: true,
      headers: { origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(urlEncoded.status, 403);
    const noToken = await admin.request('POST', '/api/people', { form: photoForm({ name: 'Mallory' }, [photo]), noCsrf: true });
    assert.deepEqual(await errorOf(noToken), { status: 403, error: 'csrf', message: 'missing or wrong X-CSRF-Token header' });
    const wrongToken = await admin.request('DELETE', '/api/session', { noCsrf: true, headers: { 'x-csrf-token': 'x'.repeat(43) } });
    assert.equal(wrongToken.status, 403);
    const crossSiteSignIn = await anonymous.request('POST', '/api/session', { json: { password: PASSWORD }, headers: { origin: 'https://evil.example' } });
    assert.equal(crossSiteSignIn.status, 403);
    assert.equal(await peopleCount(), 0);
    assert.deepEqual(await filesOnDisk(files), []);
  });

  it('lets a camera token identify and nothing else', async () => {
    const { token } = await admin.ok<{ token: string }>('POST', '/api/tokens', { json: { name: 'front door' } });
    const camera = { authorization: `Bearer ${token}` };
    const identified = await anonymous.request('POST', '/api/identify', { form: photoForm({}, [photo]), headers: camera });
    assert.equal(identified.status, 200);
    assert.equal((await anonymous.request('GET', '/api/people', { headers: camera })).status, 401);
    assert.equal((await anonymous.request('POST', '/api/people', { form: photoForm({ name: 'x' }, [photo]), headers: camera })).status, 401);
    const { decisions } = await admin.ok<{ decisions: { source: string }[] }>('GET', '/api/decisions');
    assert.equal(decisions[0]!.source, 'camera:front door');
    const wrong = await anonymous.request('POST', '/api/identify', { form: photoForm({}, [photo]), headers: { authorization: `Bearer ${'A'.repeat(43)}` } });
    assert.equal(wrong.status, 401);
  });

  it('refuses oversized, too many, too large and non-image uploads with 413/400 and a clear message, leaving nothing behind', async () => {
    const before = await filesOnDisk(files);
    const decisionsBefore = running.service.db.countDecisions();
    const cases: [string, FormData, number, string, RegExp][] = [
      ['bytes', photoForm({ name: 'Big' }, [photo, new Uint8Array(limits.maxBytes + 1).fill(0xff)]), 413, 'file-too-large', /larger than the limit of 200000 bytes/],
      ['files', photoForm({ name: 'Many' }, [photo, photo, photo, photo]), 413, 'too-many-files', /more than 3 photographs/],
      ['pixels', photoForm({ name: 'Bomb' }, [photo, pngClaiming(20_000, 20_000)]), 413, 'too-many-pixels', /photograph 2 is 20000×20000 = 400000000 pixels, more than the limit of 1000000/],
      ['text', photoForm({ name: 'Text' }, [photo, new TextEncoder().encode('#!/bin/sh\nrm -rf /\n')]), 400, 'not-an-image', /photograph 2 is not a JPEG, PNG/],
      ['truncated', photoForm({ name: 'Cut' }, [photo, photo.subarray(0, 2000)]), 400, 'bad-image', /photograph 2.*truncated/],
      ['no photo', photoForm({ name: 'Nobody' }, []), 400, 'no-photographs', /at least one photograph/],
    ];
    for (const [what, form, status, error, message] of cases) {
      const response = await errorOf(await admin.request('POST', '/api/people', { form }));
      assert.equal(response.status, status, what);
      assert.equal(response.error, error, what);
      assert.match(response.message, message, what);
    }
    const json = await admin.request('POST', '/api/people', { json: { name: 'x' } });
    assert.equal(json.status, 400);
    const twoToIdentify = await admin.request('POST', '/api/identify', { form: photoForm({}, [photo, photo]) });
    assert.equal(twoToIdentify.status, 413);
    const textToIdentify = await admin.request('POST', '/api/identify', { form: photoForm({}, [new TextEncoder().encode('hello')]) });
    assert.equal(textToIdentify.status, 400);
    assert.equal(await peopleCount(), 0);
    assert.equal(running.service.db.countDecisions(), decisionsBefore);
    assert.deepEqual(await filesOnDisk(files), before);
  });

  it('never lets a client file name reach the filesystem', async () => {
    const hostile = '../../../../tmp/owned.jpg';
    await admin.ok('POST', '/api/people', { form: photoForm({ name: 'Named' }, [photo], hostile) });
    const stored = await filesOnDisk(files);
    assert.ok(stored.length > 0);
    for (const file of stored) {
      assert.ok(file.startsWith(files + path.sep), file);
      assert.match(path.basename(file), /^[0-9a-f]{64}$/);
    }
    const traversal = await admin.request('GET', '/api/crops/..%2F..%2Ffaces.db');
    assert.equal(traversal.status, 404);
  });

  it('rate-limits sign-in attempts per address', async () => {
    // Three attempts were made above (the harness, the cookie check, the cross-site refusal); the limit is 4.
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await anonymous.request('POST', '/api/session', { json: { password: 'guess' } })).status);
    assert.deepEqual(statuses, [401, 429, 429, 429]);
    const limited = await errorOf(await anonymous.request('POST', '/api/session', { json: { password: PASSWORD } }));
    assert.equal(limited.status, 429);
    assert.match(limited.message, /too many sign-in attempts; try again in \d+ s/);
  });

  it('keeps the database intact', () => {
    const db = new FaceDatabase(dbFile);
    assert.equal(db.integrityCheck(), 'ok');
    db.close();
  });
});
