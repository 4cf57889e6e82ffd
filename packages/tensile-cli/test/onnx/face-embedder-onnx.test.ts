/**
 * The face embedder through ONNX: an untrained embedder of the trained one's architecture (fixed seed,
 * random batch-norm statistics; the trained model file is not in the repository) written by
 * `tensile export onnx`, run by ONNX Runtime on real LFW faces cut as the faces commands cut them, gives
 * Tensile's unit embeddings within 1e-4; Tensile's import of the file gives them too (export → import).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { decodeOnnx } from 'tensile/node';
import { tempDir } from 'tensile-test-support';
import { faceChips, FACES, untrainedEmbedder } from '../face-embedder-fixture.js';
import { checkWithOnnx, maxDifference, TOLERANCE } from './onnx-check.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
describe('the face embedder through ONNX', () => {
  it('tensile export onnx writes it; ONNX Runtime and the import give its unit embeddings of real faces', async (t) => {
    const embedder = untrainedEmbedder();
    const dir = await tempDir('tensile-face-onnx-');
    const [model, out] = [path.join(dir, 'embedder.safetensors'), path.join(dir, 'embedder.onnx')];
    await embedder.save(model);
    const { stdout } = await run(process.execPath, [cli, 'export', 'onnx', model, out]);
    assert.match(stdout, /wrote .*embedder\.onnx: 'face_embedder' .* input \[\[null,96,96,3\]\] → output \[\[null,128\]\]/);
    assert.match(stdout, /its output is unit-length embeddings, the same person below distance 1\.0000/);
    const { x, real } = await faceChips(t);
    const bytes = new Uint8Array(await readFile(out));
    await checkWithOnnx(t, bytes);
    const difference = await maxDifference(embedder.model, x, bytes);
    t.diagnostic(`face embedder on ${FACES} ${real ? 'LFW faces' : 'random chips'}: max |tensile - onnxruntime| = ${difference.toExponential(2)}`);
    assert.ok(difference < TOLERANCE, `max difference ${difference}`);
    // Unit length out of the imported graph too.
    const imported = decodeOnnx(bytes, out).predict(x);
    const norms = Array.from({ length: FACES }, (_, i) => Math.hypot(...imported.dataSync().subarray(i * 128, (i + 1) * 128)));
    assert.ok(norms.every((n) => Math.abs(n - 1) < 1e-5), `norms ${norms.join(', ')}`);
  });
});
