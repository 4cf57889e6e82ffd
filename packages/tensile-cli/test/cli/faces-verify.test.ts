/**
 * End-to-end: `tensile faces verify | embed | compare` with the face-api embedder on LFW identity-training
 * people (never the DevTest pairs, which score an adopted recipe once): a 20-pair file, broken pairs
 * files (malformed lines: the library's test of parsePairs), embeddings as JSON, same/different at the threshold, and refused non-image or truncated files.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { datasets, type Lfw } from 'tensile/node';
import { sharedDataRoot, sharedDataset, tempDir } from 'tensile-test-support';
import type { VerificationResults } from '../../src/apps/faces/verification/verify.node.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const lfwPresent = existsSync(sharedDataset('faces-lfw'));
const skip = lfwPresent ? false : `LFW not found at ${sharedDataset('faces-lfw')}`;

async function tensile(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [cli, '--data-root', sharedDataRoot, ...args], { maxBuffer: 1 << 24 });
}

const failsNaming = (...parts: string[]) => (e: { stderr: string }): boolean => {
  for (const part of parts) assert.ok(e.stderr.includes(part), `stderr lacks ${JSON.stringify(part)}:\n${e.stderr}`);
  return true;
};

/** `Name<TAB>number` of an LFW path `Name/Name_0007.jpg`. */
const field = (image: string): string => {
  const [, name, number] = /^(.+)\/\1_(\d{4})\.jpg$/.exec(image)!;
  return `${name}\t${Number(number)}`;
};

let lfw: Lfw;
/** Two photographs of each of the first ten identity-training people. */
let people: [string, string][];

before(async () => {
  if (!lfwPresent) return;
  lfw = await datasets.lfw({ root: sharedDataRoot });
  people = Array.from({ length: 10 }, (_, person) => [lfw.identity.files[person * 10]!.path, lfw.identity.files[person * 10 + 1]!.path]);
});

describe('tensile faces verify', { skip }, () => {
  it('scores 20 pairs of training people by 10-fold cross-validation, embedding each of the 20 photos once, and writes the report', async () => {
    const dir = await tempDir('tensile-faces-verify-');
    // Ten same-person pairs, then ten different-person pairs reusing the same photographs.
    const lines = [
      ...people.map(([a, b]) => `${field(a)}\t${field(b).split('\t')[1]}`),
      ...people.map(([a], i) => `${field(a)}\t${field(people[(i + 1) % 10]![1])}`),
    ];
    const pairs = path.join(dir, 'pairs20.txt');
    await writeFile(pairs, `10\n${lines.join('\n')}\n`);
    const out = path.join(dir, 'report');
    const { stdout, stderr } = await tensile('faces', 'verify', '--embedder', 'face-api', '--pairs', pairs, '--out', out);
    assert.match(stdout, /face-api on 20 pairs of .*pairs20\.txt: accuracy [\d.]+ ± [\d.]+% \(10-fold\), AUC [\d.]+, EER [\d.]+%/);
    assert.match(stderr, /embedded 20\/20 photos/);
    const results = JSON.parse(await readFile(path.join(out, 'results.json'), 'utf8')) as VerificationResults;
    assert.equal(results.pairs, 20);
    assert.equal(results.samePairs, 10);
    assert.equal(results.photos, 20);
    assert.equal(results.folds.length, 10);
    assert.ok(results.folds.every((f) => f.pairs === 2));
    // face-api tells these people apart: dlib's network reaches 99.38% on LFW as published.
    assert.ok(results.auc > 0.9, `AUC ${results.auc}`);
    assert.ok(results.accuracy.mean >= 0.8, `accuracy ${results.accuracy.mean}`);
    assert.equal(results.calibrated.threshold, 0.4301);
    const report = await readFile(path.join(out, 'report.md'), 'utf8');
    assert.match(report, /accuracy, 10-fold cross-validated \(mean ± std over folds\) \| \*\*[\d.]+ ± [\d.]+%\*\*/);
    assert.match(report, /!\[ROC curve\]\(roc\.png\)/);
    assert.ok((await stat(path.join(out, 'roc.png'))).size > 1000);
    assert.match(await readFile(path.join(out, 'roc.svg'), 'utf8'), /^<svg/);
  });

  it('refuses a pairs file naming an image not in LFW (file and line), too few pairs (file) and an unknown embedder', async () => {
    const dir = await tempDir('tensile-faces-verify-');
    const [a, b] = people[0]!;
    const good = `${field(a)}\t${field(b).split('\t')[1]}`;
    const missing = path.join(dir, 'missing.txt');
    await writeFile(missing, `1\n${good}\n${good}\nNobody_Here\t1\t2\n`);
    await assert.rejects(tensile('faces', 'verify', '--embedder', 'face-api', '--pairs', missing, '--out', dir), failsNaming(`${missing} line 4: names Nobody_Here/Nobody_Here_0001.jpg`));
    const few = path.join(dir, 'few.txt');
    await writeFile(few, `1\n${good}\n`);
    await assert.rejects(tensile('faces', 'verify', '--embedder', 'face-api', '--pairs', few, '--out', dir), failsNaming(`${few}: has 1 same-person and 0 different-person pairs`));
    await assert.rejects(tensile('faces', 'verify', '--embedder', 'nobody', '--out', dir), failsNaming("unknown embedder 'nobody'"));
  });
});

describe('tensile faces embed and compare', { skip }, () => {
  it('embed prints one unit 128-d embedding per photograph centred on a face, nearer for the same person', async () => {
    const dir = await tempDir('tensile-faces-embed-');
    const files = await Promise.all([people[0]![0], people[0]![1], people[1]![0]].map(async (image, i) => {
      const file = path.join(dir, `photo${i}.jpg`);
      await writeFile(file, lfw.images.get(image)!);
      return file;
    }));
    const { stdout, stderr } = await tensile('faces', 'embed', '--detector', 'none', ...files);
    assert.match(stderr, /no face detector: every photograph is taken to be centred on one face/);
    const result = JSON.parse(stdout) as { file: string; faces: { box: { x: number; y: number; width: number; height: number }; embedding: number[] }[] }[];
    assert.deepEqual(result.map((r) => r.file), files);
    for (const r of result) {
      assert.equal(r.faces.length, 1);
      // LFW's 250×250 photographs: the centred face square, 45% of the side.
      assert.deepEqual(r.faces[0]!.box, { x: 68, y: 68, width: 113, height: 113 });
      assert.equal(r.faces[0]!.embedding.length, 128);
      assert.ok(Math.abs(Math.hypot(...r.faces[0]!.embedding) - 1) < 1e-5);
    }
    const embedding = (i: number): number[] => result[i]!.faces[0]!.embedding;
    const distance = (x: number[], y: number[]): number => Math.hypot(...x.map((v, i) => v - y[i]!));
    assert.ok(distance(embedding(0), embedding(1)) < distance(embedding(0), embedding(2)));

    const same = JSON.parse((await tensile('--json', 'faces', 'compare', '--detector', 'none', files[0]!, files[1]!)).stdout) as { distance: number; threshold: number; samePerson: boolean };
    assert.equal(same.samePerson, true);
    assert.ok(Math.abs(same.distance - distance(embedding(0), embedding(1))) < 1e-5);
    const { stdout: text } = await tensile('faces', 'compare', '--detector', 'none', files[0]!, files[2]!);
    assert.match(text, /^distance [\d.]+ ≥ threshold 0\.4301: different people\n$/);
  });

  it('refuses a truncated JPEG and a file that is not an image, naming the file', async () => {
    const dir = await tempDir('tensile-faces-embed-');
    const truncated = path.join(dir, 'truncated.jpg');
    const bytes = lfw.images.get(people[2]![0])!;
    await writeFile(truncated, bytes.subarray(0, bytes.length >> 1));
    const text = path.join(dir, 'notes.jpg');
    await writeFile(text, 'not a photograph\n');
    const photo = path.join(dir, 'photo-ok.jpg');
    await writeFile(photo, bytes);
    await assert.rejects(tensile('faces', 'embed', '--detector', 'none', photo, truncated), failsNaming(truncated, 'truncated'));
    await assert.rejects(tensile('faces', 'compare', '--detector', 'none', text, photo), failsNaming(text, 'not a JPEG, PNG'));
    await assert.rejects(tensile('faces', 'embed', '--detector', path.join(dir, 'no-such-detector.safetensors'), photo), failsNaming('no-such-detector.safetensors'));
  });
});
