/**
 * The face embedder through ONNX: an untrained embedder of the trained one's architecture (fixed seed,
 * random batch-norm statistics; the trained model file is not in the repository) written by
 * `tensile export onnx`, run by ONNX Runtime on real LFW faces cut as the faces commands cut them, gives
 * Tensile's unit embeddings within 1e-4; Tensile's import of the file gives them too (export → import).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { manualSeed, rand, type RawImage, type Tensor, tensor } from 'tensile';
import { decodeOnnx, lfwTrain } from 'tensile/node';
import { sharedDataRoot, sharedDataset, tempDir } from 'tensile-test-support';
import { chipBatch, FACE_FRACTION, faceChip, LFW_FACE_SIDE } from '../../src/apps/faces/trained/face-chip.js';
import { DEFAULT_NET, embedderNet } from '../../src/apps/faces/trained/network.js';
import { DEFAULT_RECIPE } from '../../src/apps/faces/trained/recipe.js';
import { FACE_EMBEDDER_FILE_VERSION, TrainedEmbedder } from '../../src/apps/faces/trained/trained-embedder.node.js';
import { randomizeWeights } from '../random-weights.js';
import { maxDifference, TOLERANCE } from './onnx-check.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const lfwPresent = existsSync(sharedDataset('faces-lfw-train', 'people.tsv'));
const FACES = 12;

function untrainedEmbedder(): TrainedEmbedder {
  manualSeed(26);
  const net = embedderNet(DEFAULT_NET);
  randomizeWeights(net);
  net.eval();
  return new TrainedEmbedder(net, {
    format: 'tensile-face-embedder', version: FACE_EMBEDDER_FILE_VERSION, net: DEFAULT_NET, faceFraction: FACE_FRACTION, threshold: 1,
    thresholdRule: 'none: untrained, for the ONNX test', recipe: DEFAULT_RECIPE, seed: 26, training: {},
  });
}

/** Chips of the first LFW photographs under the data root, or random chips without the dataset. */
async function faceChips(t: { diagnostic(message: string): void }): Promise<Tensor> {
  const size = DEFAULT_NET.inputSize;
  if (!lfwPresent) {
    t.diagnostic(`faces-lfw-train not found under ${sharedDataRoot}: random chips instead of faces`);
    return rand([FACES, size, size, 3]);
  }
  const data = await lfwTrain({ root: sharedDataRoot });
  const chips: RawImage[] = data.files.slice(0, FACES).map((f) => faceChip(data.decode(f.path), LFW_FACE_SIDE, size));
  return tensor(chipBatch(chips, size), [FACES, size, size, 3]);
}

describe('the face embedder through ONNX', () => {
  it('tensile export onnx writes it; ONNX Runtime and the import give its unit embeddings of real faces', async (t) => {
    const embedder = untrainedEmbedder();
    const dir = await tempDir('tensile-face-onnx-');
    const [model, out] = [path.join(dir, 'embedder.safetensors'), path.join(dir, 'embedder.onnx')];
    await embedder.save(model);
    const { stdout } = await run(process.execPath, [cli, 'export', 'onnx', model, out]);
    assert.match(stdout, /wrote .*embedder\.onnx: 'face_embedder' .* input \[\[null,96,96,3\]\] → output \[\[null,128\]\]/);
    assert.match(stdout, /its output is unit-length embeddings, the same person below distance 1\.0000/);
    const x = await faceChips(t);
    const bytes = new Uint8Array(await readFile(out));
    const difference = await maxDifference(embedder.model, x, bytes);
    t.diagnostic(`face embedder on ${FACES} ${lfwPresent ? 'LFW faces' : 'random chips'}: max |tensile - onnxruntime| = ${difference.toExponential(2)}`);
    assert.ok(difference < TOLERANCE, `max difference ${difference}`);
    // Unit length out of the imported graph too.
    const imported = decodeOnnx(bytes, out).predict(x);
    const norms = Array.from({ length: FACES }, (_, i) => Math.hypot(...imported.dataSync().subarray(i * 128, (i + 1) * 128)));
    assert.ok(norms.every((n) => Math.abs(n - 1) < 1e-5), `norms ${norms.join(', ')}`);
  });
});
