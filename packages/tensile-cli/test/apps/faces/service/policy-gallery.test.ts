/** The access policy's decisions, the gallery's nearest-person search, the default database place and the migrations' guard. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { defaultDatabaseFile } from '../../../../src/apps/faces/service/data-folder.node.js';
import { FaceDatabase } from '../../../../src/apps/faces/service/database.node.js';
import { Gallery } from '../../../../src/apps/faces/service/gallery.js';
import { MIGRATIONS } from '../../../../src/apps/faces/service/migrations.js';
import type { OpenSetRule } from '../../../../src/apps/faces/open-set.js';
import { decide, decidingPolicy, defaultPolicy, policyProblem } from '../../../../src/apps/faces/service/policy.js';
import { tempDir } from 'tensile-test-support';

describe('faces service policy', () => {
  const policy = decidingPolicy(defaultPolicy(0.5), undefined, 0);

  it('allows matches, queues unknown faces by default, denies them when configured', () => {
    assert.deepEqual(decide(policy, 0.2), { outcome: 'allow', auto: true });
    assert.deepEqual(decide(policy, 0.5), { outcome: 'allow', auto: true });
    assert.deepEqual(decide(policy, 0.51), { outcome: 'review', auto: false });
    assert.deepEqual(decide(policy, undefined), { outcome: 'review', auto: false });
    assert.deepEqual(decide({ ...policy, unknownFaces: 'deny' }, 0.9), { outcome: 'deny', auto: true });
  });

  it('queues matches between the allow distance and the threshold, and everything without auto-decide', () => {
    assert.deepEqual(decide({ ...policy, allowDistance: 0.3 }, 0.4), { outcome: 'review', auto: false });
    assert.deepEqual(decide({ ...policy, allowDistance: 0.3 }, 0.3), { outcome: 'allow', auto: true });
    assert.deepEqual(decide({ ...policy, autoDecide: false, unknownFaces: 'deny' }, 0.1), { outcome: 'review', auto: false });
    assert.deepEqual(decide({ ...policy, autoDecide: false, unknownFaces: 'deny' }, 1.5), { outcome: 'review', auto: false });
  });

  it('names what is wrong with a policy', () => {
    assert.equal(policyProblem(policy), undefined);
    assert.match(policyProblem({ ...policy, threshold: 0 })!, /threshold must be in \(0, 2\]/);
    assert.match(policyProblem({ ...policy, allowDistance: 0.6 })!, /allowDistance must be in \(0, threshold = 0.5\] or 'gallery-size', got 0.6/);
    assert.match(policyProblem({ ...policy, allowDistance: 'gallery-size' })!, /'gallery-size' needs an embedder calibrated for identification/);
    assert.equal(policyProblem({ ...policy, allowDistance: 'gallery-size' }, openSet), undefined);
  });

  const openSet: OpenSetRule = { alpha: 0.01, differentPairs: 1e6, steps: [{ embeddings: 1, allowDistance: 0.6, pairsBelow: 1e4 }, { embeddings: 10, allowDistance: 0.4, pairsBelow: 1e3 }, { embeddings: 100, allowDistance: 0.3, pairsBelow: 100 }] };

  it('follows the gallery size by default when the embedder has an open-set rule, never beyond the threshold', () => {
    assert.equal(defaultPolicy(0.5).allowDistance, 0.5);
    const bySize = defaultPolicy(0.5, openSet);
    assert.equal(bySize.allowDistance, 'gallery-size');
    assert.equal(decidingPolicy(bySize, openSet, 1).allowDistance, 0.5);
    assert.equal(decidingPolicy(bySize, openSet, 10).allowDistance, 0.4);
    assert.equal(decidingPolicy(bySize, openSet, 11).allowDistance, 0.3);
    assert.equal(decidingPolicy({ ...bySize, allowDistance: 0.45 }, openSet, 500).allowDistance, 0.45);
    const big = decidingPolicy(bySize, openSet, 50);
    assert.deepEqual(decide(big, 0.29), { outcome: 'allow', auto: true });
    assert.deepEqual(decide(big, 0.35), { outcome: 'review', auto: false });
    assert.throws(() => decidingPolicy(bySize, undefined, 5), /without an open-set rule/);
  });
});

describe('faces service gallery', () => {
  it('finds the nearest person over all their embeddings, forgets deleted people', () => {
    const gallery = new Gallery(2);
    assert.equal(gallery.nearest(Float32Array.of(1, 0)), undefined);
    gallery.add(1, Float32Array.of(1, 0));
    gallery.add(2, Float32Array.of(0, 1));
    gallery.add(2, Float32Array.of(0.6, 0.8));
    const near = gallery.nearest(Float32Array.of(0.8, 0.6))!;
    assert.equal(near.personId, 2);
    assert.ok(Math.abs(near.distance - Math.hypot(0.2, 0.2)) < 1e-6);
    gallery.removePerson(2);
    assert.equal(gallery.embeddings, 1);
    assert.equal(gallery.nearest(Float32Array.of(0.8, 0.6))!.personId, 1);
    assert.throws(() => gallery.add(3, Float32Array.of(1, 0, 0)), /embedding of length 3, expected 2/);
    assert.throws(() => gallery.nearest(Float32Array.of(1)), /query of length 1, expected 2/);
  });
});

describe('faces service storage places', () => {
  it('puts the default database in the user data folder of each platform', () => {
    assert.equal(defaultDatabaseFile({ XDG_DATA_HOME: '/data' }, 'linux'), path.join('/data', 'tensile', 'faces', 'faces.db'));
    assert.match(defaultDatabaseFile({}, 'linux'), /\.local[\\/]share[\\/]tensile[\\/]faces[\\/]faces\.db$/);
    assert.match(defaultDatabaseFile({}, 'darwin'), /Library[\\/]Application Support[\\/]tensile/);
    assert.equal(defaultDatabaseFile({ LOCALAPPDATA: 'C:\\Users\\a\\AppData\\Local' }, 'win32'), path.join('C:\\Users\\a\\AppData\\Local', 'tensile', 'faces', 'faces.db'));
  });

  it('refuses a database made by a newer program, naming the file and both versions', async () => {
    const file = path.join(await tempDir('tensile-faces-db-'), 'future.db');
    const raw = new Database(file);
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    raw.close();
    assert.throws(() => new FaceDatabase(file), new RegExp(`future\\.db: database schema version ${MIGRATIONS.length + 1} is newer than this program knows \\(${MIGRATIONS.length}\\)`));
  });
});
