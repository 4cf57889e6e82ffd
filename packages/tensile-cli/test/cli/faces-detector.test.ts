/** End-to-end: `tensile faces train-detector | detect | evaluate-detector | serve --detector` on slices of the real data, as a user runs them. */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sharedDataRoot, sharedDataset, tempDir } from 'tensile-test-support';
import { photoForm, ServiceClient } from '../apps/faces/service/client.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

async function tensile(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [cli, '--data-root', sharedDataRoot, ...args], { maxBuffer: 1 << 24 });
}

const dir = await tempDir('tensile-faces-cli-');
const model = path.join(dir, 'detector-seed1.safetensors');
const photo = sharedDataset('faces-cmumit-detect', 'test_jpg', 'ew-friends.jpg');

interface Detected {
  file: string;
  faces: { x: number; y: number; width: number; height: number; score: number }[];
}

describe('tensile faces (detector)', () => {
  before(async () => {
    await tensile('faces', 'train-detector', '--seeds', '1', '--faces', '200', '--scenes', '12', '--out', dir);
  });

  it('train-detector writes a model named by its seed', async () => {
    assert.ok((await stat(model)).size > 4 * 6 * 6 * 31);
  });

  it('detect prints boxes as JSON and draws them with --out', async () => {
    const out = path.join(dir, 'drawn');
    const { stdout } = await tensile('faces', 'detect', photo, '--model', model, '--out', out);
    const [result] = JSON.parse(stdout) as Detected[];
    assert.equal(result!.file, photo);
    assert.ok(result!.faces.length > 0, 'faces in a photo of six people');
    for (const f of result!.faces) assert.ok(f.width >= 36 && f.x >= 0 && f.y >= 0);
    const png = await readFile(path.join(out, 'ew-friends.faces.png'));
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
    assert.deepEqual(JSON.parse(await readFile(path.join(out, 'detections.json'), 'utf8')), JSON.parse(stdout));
  });

  it('detect: a face-free image gives no boxes; bad photos and models fail naming the file', async () => {
    const flat = path.join(dir, 'flat.pgm');
    await writeFile(flat, Buffer.concat([Buffer.from('P5\n200 150\n255\n'), Buffer.alloc(200 * 150, 128)]));
    const [empty] = JSON.parse((await tensile('faces', 'detect', flat, '--model', model)).stdout) as Detected[];
    assert.deepEqual(empty!.faces, []);
    const text = path.join(dir, 'notes.jpg');
    await writeFile(text, 'not a photograph');
    await assert.rejects(tensile('faces', 'detect', text, '--model', model), /notes\.jpg.*not a JPEG, PNG/);
    const bytes = await readFile(photo);
    const half = path.join(dir, 'half.jpg');
    await writeFile(half, bytes.subarray(0, bytes.length >> 1));
    await assert.rejects(tensile('faces', 'detect', half, '--model', model), /half\.jpg.*truncated/);
    await assert.rejects(tensile('faces', 'detect', photo, '--model', path.join(dir, 'missing.safetensors')), /missing\.safetensors.*cannot be read/);
  });

  it('serve --detector identifies every face the detector finds; a missing model stops it with the file named', { timeout: 5 * 60_000 }, async () => {
    const password = 'detector serve test';
    const child = spawn(process.execPath, [cli, '--data-root', sharedDataRoot, 'faces', 'serve', '--db', path.join(dir, 'faces.db'), '--port', '0', '--workers', '1', '--detector', model, '--min-face', '36'], {
      env: { ...process.env, TENSILE_FACES_PASSWORD: password },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const banner = await new Promise<string>((resolve, reject) => {
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (/face detector .*\n/.test(output)) resolve(output);
        });
        child.once('exit', (code) => reject(new Error(`tensile faces serve exited with ${code}: ${output}`)));
      });
      assert.match(banner, new RegExp(`face detector ${model.replaceAll('.', '\\.')}: every face of at least 36 pixels`));
      const admin = new ServiceClient(/faces service: (\S+)/.exec(banner)![1]!);
      assert.equal((await admin.signIn(password)).status, 200);
      const { faces } = await admin.ok<{ faces: { box: { x: number; width: number }; decision: string }[] }>('POST', '/api/identify', { form: photoForm({}, [await readFile(photo)]) });
      const [detected] = JSON.parse((await tensile('faces', 'detect', photo, '--model', model)).stdout) as Detected[];
      assert.ok(faces.length > 1, `${faces.length} faces in a photo of six people`);
      // Every box the detector finds, largest first, each with a decision (nobody is enrolled: queued).
      const byArea = [...detected!.faces].sort((a, b) => b.width * b.height - a.width * a.height);
      assert.deepEqual(faces.map((f) => Math.round(f.box.width)), byArea.map((f) => Math.round(f.width)));
      assert.deepEqual(new Set(faces.map((f) => f.decision)), new Set(['review']));
    } finally {
      child.kill('SIGTERM');
    }
    await assert.rejects(tensile('faces', 'serve', '--db', path.join(dir, 'other.db'), '--port', '0', '--workers', '1', '--detector', path.join(dir, 'missing.safetensors')), /missing\.safetensors.*cannot be read/);
  });

  it('embed and compare with --detector embed every face found; a photograph without one is refused by name by both', { timeout: 5 * 60_000 }, async () => {
    const [detected] = JSON.parse((await tensile('faces', 'detect', photo, '--model', model)).stdout) as Detected[];
    const { stdout, stderr } = await tensile('faces', 'embed', '--detector', model, '--min-face', '36', photo);
    assert.match(stderr, new RegExp(`face detector ${model.replaceAll('.', '\\.')}: every face of at least 36 pixels`));
    const [embedded] = JSON.parse(stdout) as { file: string; faces: { box: { width: number }; embedding: number[] }[] }[];
    assert.equal(embedded!.file, photo);
    assert.ok(embedded!.faces.length > 1, `${embedded!.faces.length} faces in a photo of six people`);
    const byArea = [...detected!.faces].sort((a, b) => b.width * b.height - a.width * a.height);
    assert.deepEqual(embedded!.faces.map((f) => Math.round(f.box.width)), byArea.map((f) => Math.round(f.width)));
    for (const face of embedded!.faces) assert.ok(Math.abs(Math.hypot(...face.embedding) - 1) < 1e-5);

    // The same photograph against itself: its largest face, distance 0.
    const same = JSON.parse((await tensile('--json', 'faces', 'compare', '--detector', model, '--min-face', '36', photo, photo)).stdout) as { distance: number; samePerson: boolean; boxes: { width: number }[] };
    assert.equal(same.distance, 0);
    assert.equal(same.boxes[0]!.width, embedded!.faces[0]!.box.width);
    const flat = path.join(dir, 'blank.pgm');
    await writeFile(flat, Buffer.concat([Buffer.from('P5\n200 150\n255\n'), Buffer.alloc(200 * 150, 128)]));
    await assert.rejects(tensile('faces', 'compare', '--detector', model, '--min-face', '36', photo, flat), /blank\.pgm: no face found/);
    await assert.rejects(tensile('faces', 'embed', '--detector', model, '--min-face', '36', photo, flat), /blank\.pgm: no face found/);
  });

  it('evaluate-detector writes the report, figures and results that agree', async () => {
    const out = path.join(dir, 'report');
    const { stdout } = await tensile('--json', 'faces', 'evaluate-detector', '--models', model, '--limit', '3', '--out', out);
    const printed = JSON.parse(stdout) as { photos: number; models: { ap50: number }[]; summary: { ap50: { mean: number } } };
    const saved = JSON.parse(await readFile(path.join(out, 'detector-results.json'), 'utf8')) as typeof printed;
    assert.equal(saved.photos, 3);
    assert.equal(saved.models[0]!.ap50, printed.models[0]!.ap50);
    assert.ok(saved.summary.ap50.mean >= 0 && saved.summary.ap50.mean <= 1);
    for (const file of ['detector-report.md', 'detector-pr.svg', 'detector-pr.png', 'detector-grid.svg', 'detector-grid.png']) assert.ok((await stat(path.join(out, file))).size > 0, file);
    assert.match(await readFile(path.join(out, 'detector-report.md'), 'utf8'), /AP at IoU ≥ 0\.5/);
  });
});
