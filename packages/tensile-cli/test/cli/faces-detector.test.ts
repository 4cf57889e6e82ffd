/** End-to-end: `tensile faces train-detector | detect | evaluate-detector` on slices of the real data, as a user runs them. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sharedDataRoot, sharedDataset, tempDir } from 'tensile-test-support';

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
