/** End-to-end: `tensile export onnx|tfjs|pytorch` and `tensile import pytorch` on saved models, the ONNX file run by ONNX Runtime; non-models refused by name. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import { encodeSafetensors, rand, type Tensor, tensor, toPytorchStateDict } from 'tensile';
import { loadModel, loadTfjsLayersModel, saveModel, setDataRoot } from 'tensile/node';
import { sharedDataRoot, sharedDataset, tempDir } from 'tensile-test-support';
import { IntrusionDetector, parseRecord, trainIds } from '../../src/apps/ids/index.node.js';
import { mnistCnn } from '../../src/apps/mnist/model.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

async function tensile(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [cli, ...args], { maxBuffer: 1 << 24 });
}

/** ONNX Runtime's output for `x` from the file, and its largest difference from `expected`. */
async function maxDifference(file: string, x: Tensor, expected: Tensor): Promise<number> {
  const session = await InferenceSession.create(file);
  const result = await session.run({ [session.inputNames[0]!]: new OrtTensor('float32', Float32Array.from(x.dataSync()), [...x.shape]) });
  const actual = result[session.outputNames[0]!]!.data as Float32Array;
  assert.equal(actual.length, expected.size);
  return Array.from(expected.dataSync()).reduce((worst, v, i) => Math.max(worst, Math.abs(v - actual[i]!)), 0);
}

describe('tensile export', () => {
  it('exports a model folder written by saveModel: ONNX Runtime agrees with the loaded model, and so does the TF.js export read back', async (t) => {
    const dir = await tempDir('tensile-export-');
    await saveModel(mnistCnn(), path.join(dir, 'model'));
    const out = path.join(dir, 'mnist.onnx');
    const { stdout } = await tensile('--json', 'export', 'onnx', path.join(dir, 'model'), out, '--opset', '18');
    const result = JSON.parse(stdout) as { out: string; opset: number; input: unknown; output: unknown };
    assert.deepEqual(result, { model: path.join(dir, 'model', 'model.safetensors'), out, opset: 18, input: [[null, 28, 28, 1]], output: [[null, 10]] });
    const model = await loadModel(path.join(dir, 'model'));
    const x = rand([4, 28, 28, 1]);
    const difference = await maxDifference(out, x, model.predict(x) as Tensor);
    t.diagnostic(`saved mnist cnn: max |tensile - onnxruntime| = ${difference.toExponential(2)}`);
    assert.ok(difference < 1e-4);

    // The same model as a TF.js layers model (TF.js itself opens these in test/apps/tfjs-layers.test.ts).
    const { stdout: tfjsOut } = await tensile('export', 'tfjs', path.join(dir, 'model'), path.join(dir, 'tfjs'));
    assert.equal(tfjsOut.trim(), `wrote ${path.join(dir, 'tfjs', 'model.json')}: 'mnist_cnn_relu' from ${path.join(dir, 'model', 'model.safetensors')}`);
    const reread = await loadTfjsLayersModel(path.join(dir, 'tfjs', 'model.json'));
    assert.deepEqual(reread.predict(x).dataSync(), (model.predict(x) as Tensor).dataSync());
  });

  it('exports an intrusion detector\'s network, checked on real encoded NSL-KDD records', async (t) => {
    const test = sharedDataset('nsl-kdd', 'KDDTest+.txt.gz');
    if (!(await stat(test).catch(() => null))) {
      t.skip(`no NSL-KDD under ${sharedDataRoot}`);
      return;
    }
    setDataRoot(sharedDataRoot);
    const dir = await tempDir('tensile-export-ids-');
    const trained = await trainIds({ variants: ['mlp'], seeds: 1, out: dir, trainLimit: 1000, maxEpochs: 1 });
    const out = path.join(dir, 'ids.onnx');
    const { stdout } = await tensile('export', 'onnx', trained.models[0]!.path, out);
    assert.match(stdout, /its input is the \d+ encoded features of a record/);
    const detector = await IntrusionDetector.load(trained.models[0]!.path);
    const lines = gunzipSync(await readFile(test)).toString('utf8').split('\n').slice(0, 200);
    const features = detector.encoder.transform(lines.map((line, i) => parseRecord(line.split(','), 'test', i + 1).features));
    const x = tensor(features, [200, detector.encoder.width]);
    const difference = await maxDifference(out, x, detector.network.predict(x));
    t.diagnostic(`trained ids detector on 200 KDDTest+ records: max |tensile - onnxruntime| = ${difference.toExponential(2)}`);
    assert.ok(difference < 1e-4);
  });

  it('export pytorch then import pytorch gives the model back (no PyTorch needed); weights of another shape are refused naming tensor, layer and shapes', async () => {
    const dir = await tempDir('tensile-export-pytorch-');
    const model = mnistCnn();
    const [file, weights, back] = [path.join(dir, 'mnist.safetensors'), path.join(dir, 'torch.safetensors'), path.join(dir, 'back')];
    await saveModel(model, file);
    const { stdout } = await tensile('export', 'pytorch', file, weights);
    assert.match(stdout, /as PyTorch tensors conv2_d(_\d+)?\.weight \[32, 1, 3, 3\], conv2_d(_\d+)?\.bias \[32\], .* dense(_\d+)?\.weight \[128, 1600\]/);
    assert.match(await tensile('import', 'pytorch', file, weights, back).then((r) => r.stdout), /wrote .*back: 'mnist_cnn_relu' .* with the weights of .*torch\.safetensors/);
    const x = rand([2, 28, 28, 1]);
    assert.deepEqual(((await loadModel(back)).predict(x) as Tensor).dataSync(), (model.predict(x) as Tensor).dataSync());
    const [cut, wrong] = [path.join(dir, 'cut.safetensors'), path.join(dir, 'wrong.safetensors')];
    await writeFile(cut, (await readFile(weights)).subarray(0, 100));
    await assert.rejects(tensile('import', 'pytorch', file, cut, path.join(dir, 'never')), (e: { stderr: string }) => e.stderr.startsWith(`tensile: ${cut}: `));
    const [name, first] = Object.entries(toPytorchStateDict(model))[0]!;
    await writeFile(wrong, encodeSafetensors({ ...toPytorchStateDict(model), [name]: rand([first.shape[0]! + 1, ...first.shape.slice(1)]) }));
    await assert.rejects(tensile('import', 'pytorch', file, wrong, path.join(dir, 'never')), (e: { stderr: string }) => {
      assert.match(e.stderr, new RegExp(`tensile: ${wrong}: tensor '${name}' is \\[${first.shape[0]! + 1},.*\\], but layer '.*' \\(Conv2D\\) needs \\[${first.shape.join(',')}\\]`));
      return true;
    });
    await assert.rejects(stat(path.join(dir, 'never')));
  });

  it('refuses what is not a float model, naming the file, and writes nothing', async () => {
    const dir = await tempDir('tensile-export-bad-');
    const notes = path.join(dir, 'notes.safetensors');
    await writeFile(notes, 'not a model');
    const out = path.join(dir, 'out.onnx');
    await assert.rejects(tensile('export', 'onnx', notes, out), (e: { stderr: string }) => e.stderr.startsWith(`tensile: ${notes}: `));
    const missing = path.join(dir, 'missing');
    await assert.rejects(tensile('export', 'onnx', missing, out), (e: { stderr: string }) => e.stderr.trim() === `tensile: ${missing}: cannot be read: it does not exist`);
    await assert.rejects(tensile('export', 'tfjs', notes, path.join(dir, 'tfjs')), (e: { stderr: string }) => e.stderr.startsWith(`tensile: ${notes}: `));
    await assert.rejects(stat(path.join(dir, 'tfjs')));
    await assert.rejects(stat(out));
  });
});
