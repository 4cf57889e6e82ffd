/**
 * End-to-end: `tensile faces train-embedder` trains a few steps on a slice of faces-lfw-train; the model
 * it writes loads through loadEmbedder('trained') and already puts a person's faces nearer each other than
 * other people's on that slice; models of another kind and broken files are refused naming the file.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { encodeSafetensors, RawImage, tensor } from 'tensile';
import { lfwTrain } from 'tensile/node';
import { sharedDataRoot, sharedDataset, tempDir } from 'tensile-test-support';
import { embeddingDistance } from '../../src/apps/faces/embedder.js';
import { loadEmbedder } from '../../src/apps/faces/load-embedder.node.js';
import { faceChip, LFW_FACE_SIDE } from '../../src/apps/faces/trained/face-chip.js';
import { TrainedEmbedder } from '../../src/apps/faces/trained/trained-embedder.node.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const present = existsSync(sharedDataset('faces-lfw-train', 'people.tsv'));

async function tensile(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [cli, '--data-root', sharedDataRoot, ...args], { maxBuffer: 1 << 24 });
}

/** The slice: the first 30 people by name with at least 4 images, 6 of them held out. */
const SLICE = ['--people', '30', '--validation-people', '6'];

// Made here, not in before(): tempDir removes its folder when the scope that made it ends.
const dir = await tempDir('tensile-embedder-cli-');
const model = path.join(dir, 'models', 'embedder.safetensors');

describe('tensile faces train-embedder', { skip: present ? false : `faces-lfw-train not found under ${sharedDataRoot}` }, () => {
  let stderr = '';

  before(async () => {
    ({ stderr } = await tensile('faces', 'train-embedder', '--out', model, '--epochs', '3', '--seed', '2', ...SLICE));
  });

  it('prints progress and writes a model with a calibrated threshold', async () => {
    assert.match(stderr, /training on \d+ images of 24 people, validating on \d+ images of 6 held-out people/);
    assert.match(stderr, /epoch 3\/3: loss [\d.]+, held-out verification [\d.]+%/);
    const embedder = await loadEmbedder('trained', { model });
    assert.ok(embedder instanceof TrainedEmbedder);
    assert.equal(embedder.size, 128);
    assert.ok(embedder.threshold > 0 && embedder.threshold < 2, `threshold ${embedder.threshold}`);
    assert.equal(embedder.config.training['trainPeople'], 24);
  });

  it("the slice's faces of one person are nearer each other than other people's", async () => {
    const embedder = await TrainedEmbedder.load(model);
    const data = await lfwTrain({ root: sharedDataRoot });
    const counts = new Map<number, number>();
    for (const f of data.files) counts.set(f.label, (counts.get(f.label) ?? 0) + 1);
    const slice = [...counts.keys()].filter((label) => counts.get(label)! >= 4).sort((a, b) => a - b).slice(0, 30);
    const files = data.files.filter((f) => slice.includes(f.label));
    const embeddings = embedder.embedChips(files.map((f) => faceChip(data.decode(f.path), LFW_FACE_SIDE, 96)));
    let [same, sameCount, different, differentCount] = [0, 0, 0, 0];
    for (let i = 0; i < files.length; i++) {
      for (let j = i + 1; j < files.length; j++) {
        const d = embeddingDistance(embeddings[i]!, embeddings[j]!);
        if (files[i]!.label === files[j]!.label) [same, sameCount] = [same + d, sameCount + 1];
        else [different, differentCount] = [different + d, differentCount + 1];
      }
    }
    for (const e of embeddings) assert.ok(Math.abs(Math.hypot(...e) - 1) < 1e-4, 'unit embeddings');
    assert.ok(same / sameCount < different / differentCount, `mean distance same person ${same / sameCount} vs different people ${different / differentCount}`);
  });

  it('embeds LFW-framed photographs of any size and channel count', async () => {
    const embedder = await loadEmbedder('trained', { model });
    const gray = new RawImage(new Uint8Array(250 * 250).fill(90), 250, 250, 1);
    const rgb = new RawImage(new Uint8Array(180 * 200 * 3).fill(90), 180, 200, 3);
    const embeddings = await embedder.embed([gray, rgb]);
    assert.deepEqual(embeddings.map((e) => e.length), [128, 128]);
  });

  it('refuses a model of another kind, a truncated file and a missing one, naming the file', async () => {
    const detector = path.join(dir, 'detector.safetensors');
    await writeFile(detector, encodeSafetensors({ weights: tensor([1, 2]) }, { format: 'pt', 'tensile.faces.detector': '{}' }));
    await assert.rejects(loadEmbedder('trained', { model: detector }), /detector\.safetensors.*is a face detector.*not a face embedder/);
    const half = path.join(dir, 'half.safetensors');
    const bytes = await readFile(model);
    await writeFile(half, bytes.subarray(0, bytes.length >> 1));
    await assert.rejects(loadEmbedder('trained', { model: half }), /half\.safetensors/);
    await assert.rejects(loadEmbedder('trained', { model: path.join(dir, 'none.safetensors') }), /none\.safetensors.*cannot be read/);
    await assert.rejects(tensile('faces', 'train-embedder', '--out', path.join(dir, 'x.safetensors'), '--people', '5', '--validation-people', '1'), /holds no whole batch of 64: take more people/);
  });
});
