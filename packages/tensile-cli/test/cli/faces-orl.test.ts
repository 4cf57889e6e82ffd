/** End-to-end: `tensile faces orl` on a slice of the ORL faces (3 people, 1 epoch), skipped without the dataset. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sharedDataRoot, sharedDataset, tempDir } from 'tensile-test-support';
import type { OrlResults } from '../../src/apps/faces/orl/results.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const orlMissing = existsSync(sharedDataset('faces-orl', 's40', '10.pgm')) ? false : `the ORL faces are not in ${sharedDataset('faces-orl')}`;

async function tensile(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [cli, '--data-root', sharedDataRoot, ...args], { maxBuffer: 1 << 24 });
}

describe('tensile faces orl', { skip: orlMissing }, () => {
  it('trains the classifier on each split and writes the robustness report, charts and example strip', async () => {
    const out = await tempDir('tensile-orl-');
    const { stdout } = await tensile('--json', 'faces', 'orl', '--people', '3', '--seeds', '1,2', '--epochs', '1', '--skip-embedder', '--out', out);
    const results = JSON.parse(stdout) as OrlResults;
    assert.equal(results.protocol, 'test');
    assert.deepEqual([results.people, results.trainPerPerson, results.scoredPerPerson], [3, 5, 5]);
    assert.equal(results.embedder, null);
    const classifier = results.classifier!;
    assert.equal(classifier.accuracies.length, 2);
    for (const a of classifier.accuracies) assert.ok(a >= 0 && a <= 1 && Number.isInteger(a * 15), `accuracy ${a} is not a count of 15 photographs`);
    assert.equal(classifier.recipe.epochs, 1);
    assert.equal(classifier.robustness.length, 8 * 3);
    for (const point of classifier.robustness) assert.equal(point.accuracies.length, 2);
    assert.deepEqual(JSON.parse(await readFile(path.join(out, 'results.json'), 'utf8')), results);
    const report = await readFile(path.join(out, 'report.md'), 'utf8');
    assert.match(report, /\| CNN classifier \| \d+\.\d\d ± \d+\.\d\d \|/);
    assert.match(report, /\| eye-bar \| 3 \| bar height \/ image height 0\.2 \|/);
    for (const file of ['robustness-classifier.svg', 'robustness-classifier.png', 'perturbations.svg', 'perturbations.png']) assert.ok(existsSync(path.join(out, file)), file);
    assert.ok(!existsSync(path.join(out, 'robustness-embedder.png')));
  });

  it('identifies held-out training photographs by enrolled face-api embeddings (validation)', async () => {
    const out = await tempDir('tensile-orl-');
    const { stdout } = await tensile('--json', 'faces', 'orl', '--people', '3', '--seeds', '1', '--skip-classifier', '--validation', '--embedder', 'face-api', '--out', out);
    const results = JSON.parse(stdout) as OrlResults;
    assert.equal(results.protocol, 'validation');
    assert.deepEqual([results.trainPerPerson, results.scoredPerPerson], [4, 1]);
    assert.equal(results.classifier, null);
    // Three people with four enrolled photographs each: a working embedder gets them all.
    assert.deepEqual(results.embedder!.accuracies, [1]);
    assert.deepEqual(results.embedder!.robustness, []);
    assert.match(await readFile(path.join(out, 'report.md'), 'utf8'), /VALIDATION/);
  });

  it('refuses to run nothing and a single person', async () => {
    await assert.rejects(tensile('faces', 'orl', '--skip-classifier', '--skip-embedder'), (e: { stderr: string }) => e.stderr.includes('--skip-classifier and --skip-embedder leave nothing to run'));
    await assert.rejects(tensile('faces', 'orl', '--people', '1'), (e: { stderr: string }) => e.stderr.includes('--people 1: identification needs at least 2 people'));
  });
});
