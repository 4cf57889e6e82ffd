/**
 * Fine-tuning an imported ONNX graph: a CNN of layers Tensile has, as an ONNX file, comes back from
 * decodeOnnx trainable (its weights are parameters, its batch-norm statistics buffers), trains a few Adam
 * steps on real MNIST digits with the loss going down, and is written again by exportOnnx with the new
 * weights, which ONNX Runtime runs to Tensile's outputs.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import {
  Activation, Adam, BatchNormalization, Conv2D, Dense, Flatten, manualSeed, MaxPool2D, rand, randint, scope, Sequential, softmaxCrossEntropy, type Tensor, tensor,
} from 'tensile';
import { decodeOnnx, encodeOnnx, exportOnnx, mnist } from 'tensile/node';
import { sharedDataRoot, tempDir } from 'tensile-test-support';
import { randomizeWeights } from '../random-weights.js';
import { TOLERANCE } from './onnx-check.js';

const COUNT = 64;

async function digits(t: { diagnostic(message: string): void }): Promise<{ x: Tensor; labels: Tensor }> {
  if ((await readdir(path.join(sharedDataRoot, 'mnist')).catch(() => [])).length === 0) {
    t.diagnostic(`no MNIST under ${sharedDataRoot}: random images and labels instead`);
    return { x: rand([COUNT, 28, 28, 1]), labels: randint(0, 10, [COUNT]) };
  }
  const { train } = await mnist({ root: sharedDataRoot, download: false });
  return {
    x: tensor(Float32Array.from(train.images.subarray(0, COUNT * 784), (v) => v / 255), [COUNT, 28, 28, 1]),
    labels: tensor(Int32Array.from(train.labels.subarray(0, COUNT)), [COUNT]),
  };
}

describe('fine-tuning an imported ONNX graph', () => {
  it('trains the imported weights (loss down, statistics kept) and exports them again for ONNX Runtime', async (t) => {
    manualSeed(5);
    const original = new Sequential([
      new Conv2D({ name: 'conv', filters: 6, kernelSize: 5, strides: 2, padding: 'same' }),
      new BatchNormalization({ name: 'bn' }),
      new Activation({ name: 'relu', activation: 'relu' }),
      new MaxPool2D({ name: 'pool', poolSize: 2 }),
      new Flatten({ name: 'flatten' }),
      new Dense({ name: 'fc', units: 10 }),
    ], { name: 'small_cnn', inputShape: [28, 28, 1] });
    randomizeWeights(original);
    const imported = decodeOnnx(encodeOnnx(original), 'small_cnn.onnx');
    assert.deepEqual(imported.namedParameters().map(([name]) => name), ['conv.bias', 'conv.kernel', 'bn.gamma', 'bn.beta', 'fc.kernel', 'fc.bias']);
    assert.deepEqual(imported.namedBuffers().map(([name]) => name), ['bn.movingMean', 'bn.movingVariance']);
    const statistics = imported.namedBuffers().map(([, b]) => b.dataSync().slice());

    const { x, labels } = await digits(t);
    const optimizer = new Adam(imported.parameters(), { learningRate: 0.01 });
    const losses: number[] = [];
    for (let step = 0; step < 10; step++) {
      losses.push(scope(() => {
        const loss = softmaxCrossEntropy(imported.forward(x), labels);
        optimizer.zeroGrad();
        loss.backward();
        optimizer.step();
        return loss.item();
      }));
    }
    t.diagnostic(`10 Adam steps on ${COUNT} digits: loss ${losses.map((l) => l.toFixed(3)).join(' → ')}`);
    assert.ok(losses[losses.length - 1]! < 0.9 * losses[0]!, `loss ${losses[0]} → ${losses[losses.length - 1]}`);
    imported.namedBuffers().forEach(([name, b], i) => assert.deepEqual(b.dataSync(), statistics[i], `${name} is kept`));

    const file = path.join(await tempDir('tensile-onnx-fine-tune-'), 'fine-tuned.onnx');
    await exportOnnx(imported, file);
    await assert.rejects(exportOnnx(imported, file, { opset: 13 }), /an imported model keeps its file's opset/);
    const session = await InferenceSession.create(file);
    const result = await session.run({ [session.inputNames[0]!]: new OrtTensor('float32', Float32Array.from(x.dataSync()), [...x.shape]) });
    const runtime = result[session.outputNames[0]!]!.data as Float32Array;
    const ours = Array.from(imported.predict(x).dataSync());
    const difference = ours.reduce((w, v, i) => Math.max(w, Math.abs(v - runtime[i]!)), 0);
    const before = Array.from(original.predict(x).dataSync());
    const moved = ours.reduce((w, v, i) => Math.max(w, Math.abs(v - before[i]!)), 0);
    t.diagnostic(`fine-tuned export: max |tensile - onnxruntime| = ${difference.toExponential(2)}; outputs moved by up to ${moved.toFixed(2)} from the original`);
    assert.ok(difference < TOLERANCE, `max difference ${difference}`);
    assert.ok(moved > 0.1, 'the exported weights are the fine-tuned ones');
    assert.deepEqual(decodeOnnx(new Uint8Array(await readFile(file)), file).predict(x).dataSync(), imported.predict(x).dataSync());
  });
});
