/**
 * The int8 model through ONNX: networks of every int8 layer kind (convolutions 'same' and 'valid' with
 * folded batch norm and fused ReLU, max pool, global average pool, flatten, dense), quantised on real
 * MNIST digits, written by `tensile export onnx` from the int8 model file, give in ONNX Runtime the int8
 * runtime's logits exactly. Tolerance 0, not 1e-4: the graph repeats the runtime's arithmetic op by op in
 * the same precision and order (integer sums, float32 multiply then add, the same roundings), so any
 * difference would be a mistake in the mapping, and a one-step difference in an int8 activation — what a
 * different rounding gives — would show in the logits far above float32 noise.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import {
  Activation, BatchNormalization, Conv2D, Dense, Flatten, GlobalAveragePooling2D, Int8Runtime, manualSeed, MaxPool2D, quantizedModelToBytes, quantizeModel, rand,
  Sequential, type Tensor, tensor,
} from 'tensile';
import { encodeInt8Onnx, mnist } from 'tensile/node';
import { sharedDataRoot, tempDir } from 'tensile-test-support';
import { randomizeWeights } from '../random-weights.js';
import { checkWithOnnx } from './onnx-check.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

/** 64 calibration and 32 test images: real MNIST digits when present. */
async function digits(t: { diagnostic(message: string): void }): Promise<{ calibration: Tensor; test: Tensor; real: boolean }> {
  if ((await readdir(path.join(sharedDataRoot, 'mnist')).catch(() => [])).length === 0) {
    t.diagnostic(`no MNIST under ${sharedDataRoot}: random images instead`);
    return { calibration: rand([64, 28, 28, 1]), test: rand([32, 28, 28, 1]), real: false };
  }
  const { train, test } = await mnist({ root: sharedDataRoot, download: false });
  const images = (source: Uint8Array, count: number): Tensor => tensor(Float32Array.from(source.subarray(0, count * 784), (v) => v / 255), [count, 28, 28, 1]);
  return { calibration: images(train.images, 64), test: images(test.images, 32), real: true };
}

function networks(): Sequential[] {
  manualSeed(8);
  const pooled = new Sequential([
    new Conv2D({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
    new MaxPool2D({ poolSize: 2 }),
    new Conv2D({ filters: 12, kernelSize: [3, 2], useBias: false }),
    new BatchNormalization(),
    new Activation({ activation: 'relu' }),
    new GlobalAveragePooling2D(),
    new Dense({ units: 16, activation: 'relu' }),
    new Dense({ units: 10 }),
  ], { name: 'int8_pooled', inputShape: [28, 28, 1] });
  const flat = new Sequential([
    new Conv2D({ filters: 6, kernelSize: 4, padding: 'same' }),
    new MaxPool2D({ poolSize: 3 }),
    new Conv2D({ filters: 8, kernelSize: 3, activation: 'relu' }),
    new Flatten(),
    new Dense({ units: 10 }),
  ], { name: 'int8_flat', inputShape: [28, 28, 1] });
  for (const model of [pooled, flat]) randomizeWeights(model);
  return [pooled, flat];
}

describe('int8 models through ONNX', () => {
  it('tensile export onnx writes an int8 model file as an integer graph; ONNX Runtime gives the int8 runtime\'s logits exactly', async (t) => {
    const { calibration, test, real } = await digits(t);
    const dir = await tempDir('tensile-int8-onnx-');
    for (const network of networks()) {
      const quantized = await quantizeModel(network, [calibration]);
      const file = path.join(dir, `${network.name}.safetensors`);
      const out = path.join(dir, `${network.name}.onnx`);
      await writeFile(file, quantizedModelToBytes(quantized));
      const { stdout } = await run(process.execPath, [cli, 'export', 'onnx', file, out]);
      assert.match(stdout, new RegExp(`wrote .*: '${network.name}' .* input \\[\\[null,28,28,1\\]\\] → output \\[\\[null,10\\]\\]`));
      const bytes = new Uint8Array(await readFile(out));
      assert.deepEqual(bytes, new Uint8Array(encodeInt8Onnx(quantized)), 'the command writes encodeInt8Onnx\'s bytes');
      await checkWithOnnx(t, bytes);
      const images = Float32Array.from(test.dataSync());
      const expected = new Int8Runtime(quantized).predictLogits(images, 32);
      const session = await InferenceSession.create(bytes);
      const result = await session.run({ [session.inputNames[0]!]: new OrtTensor('float32', images, [32, 28, 28, 1]) });
      const actual = result[session.outputNames[0]!]!;
      assert.deepEqual([...actual.dims], [32, 10]);
      const data = actual.data as Float32Array;
      const differing = expected.reduce((n, v, i) => n + (v === data[i] ? 0 : 1), 0);
      const worst = expected.reduce((w, v, i) => Math.max(w, Math.abs(v - data[i]!)), 0);
      t.diagnostic(`${network.name} (${quantized.layers.map((l) => l.kind).join(', ')}) on 32 ${real ? 'MNIST test digits' : 'random images'}: ${differing} of ${expected.length} logits differ, max |runtime - onnxruntime| = ${worst}`);
      assert.equal(differing, 0);
    }
  });

  it('refuses an int8 model that does not end in float logits, and a wrong opset', async () => {
    const [network] = networks();
    const quantized = await quantizeModel(network!, [rand([4, 28, 28, 1])]);
    assert.throws(() => encodeInt8Onnx({ ...quantized, layers: quantized.layers.slice(0, 2) }), /int8 model 'int8_pooled' must end in a convolution or dense layer with float output/);
    assert.throws(() => encodeInt8Onnx(quantized, { opset: 12 }), /opset must be an integer from 13 to 21, got 12/);
  });
});
