/**
 * ONNX export checked by ONNX Runtime: the applications' networks (built with random weights, as
 * their builders make them) and a graph using every exported layer kind run in onnxruntime-node and
 * in Tensile on the same inputs — real MNIST digits where the dataset is present — and agree within 1e-4;
 * Tensile's ONNX import of the same bytes agrees within 1e-5.
 */
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  Activation, ACTIVATIONS, Add, AvgPool2D, BatchNormalization, Concatenate, Conv2D, Dense, DepthwiseConv2D, Dropout, Flatten,
  GlobalAveragePooling2D, GlobalMaxPooling2D, Input, LayerNormalization, MaxPool2D, Model, Multiply, rand, randn, Rescaling, Reshape,
  SeparableConv2D, Sequential, type Tensor, tensor, UnitNormalization, UpSampling2D, ZeroPadding2D,
} from 'tensile';
import { encodeOnnx, exportOnnx, mnist } from 'tensile/node';
import { sharedDataRoot, tempDir } from 'tensile-test-support';
import { catsDogsCnn } from '../../src/apps/catsdogs/model.js';
import { detectorNetwork } from '../../src/apps/ids/network.js';
import { mnistCnn } from '../../src/apps/mnist/model.js';
import { randomizeWeights } from '../random-weights.js';
import { checkWithOnnx, maxDifference, TOLERANCE } from './onnx-check.js';

describe('ONNX export run by ONNX Runtime', () => {
  it('the MNIST CNN on real digits (or random images without the dataset), through exportOnnx and a file', async (t) => {
    const model = mnistCnn('relu', 0.5);
    randomizeWeights(model);
    let x: Tensor;
    if ((await readdir(path.join(sharedDataRoot, 'mnist')).catch(() => [])).length > 0) {
      const { test } = await mnist({ root: sharedDataRoot, download: false });
      x = tensor(Float32Array.from(test.images.subarray(0, 16 * 784), (v) => v / 255), [16, 28, 28, 1]);
    } else {
      t.diagnostic(`no MNIST under ${sharedDataRoot}: random images instead`);
      x = rand([16, 28, 28, 1]);
    }
    const file = path.join(await tempDir('tensile-onnx-'), 'mnist.onnx');
    await exportOnnx(model, file, { opset: 17 });
    const difference = await maxDifference(model, x, new Uint8Array(await readFile(file)));
    t.diagnostic(`mnist cnn: max |tensile - onnxruntime| = ${difference.toExponential(2)}`);
    assert.ok(difference < TOLERANCE, `max difference ${difference}`);
  });

  it('the cats-vs-dogs CNN, plain and batch-normalised, with a dynamic batch size', async (t) => {
    for (const batchNorm of [false, true]) {
      const model = catsDogsCnn({ size: 50, gray: false }, { batchNorm, convsPerStage: batchNorm ? 2 : 1 });
      randomizeWeights(model);
      const bytes = encodeOnnx(model);
      for (const batch of [1, 5]) {
        const difference = await maxDifference(model, rand([batch, 50, 50, 3]), bytes);
        t.diagnostic(`cats-dogs cnn (batchNorm ${batchNorm}), batch ${batch}: max |tensile - onnxruntime| = ${difference.toExponential(2)}`);
        assert.ok(difference < TOLERANCE, `max difference ${difference}`);
      }
    }
  });

  it('the intrusion detector network', async (t) => {
    const model = detectorNetwork(122, { hidden: [128, 64], dropout: 0.2 });
    randomizeWeights(model);
    const difference = await maxDifference(model, rand([32, 122]));
    t.diagnostic(`ids detector: max |tensile - onnxruntime| = ${difference.toExponential(2)}`);
    assert.ok(difference < TOLERANCE, `max difference ${difference}`);
  });

  it('every exported layer kind: grouped, dilated, strided, depthwise and separable convolutions, pools, norms (unit normalisation too), merges, reshapes', async (t) => {
    const inputs = Input({ shape: [17, 15, 4], name: 'image' });
    const scaled = new Rescaling({ scale: 2, offset: -1 }).apply(inputs);
    const padded = new ZeroPadding2D({ padding: [[1, 0], [2, 1]] }).apply(scaled);
    const grouped = new Conv2D({ filters: 6, kernelSize: [3, 2], groups: 2, strides: 2, padding: 'same', activation: 'elu' }).apply(padded);
    const dilated = new Conv2D({ filters: 6, kernelSize: 3, dilationRate: 2, padding: 'same', activation: 'leakyRelu' }).apply(padded);
    const merged = new Add().apply([new MaxPool2D({ poolSize: 3, strides: 2, padding: 'same' }).apply(dilated), grouped]);
    const depthwise = new DepthwiseConv2D({ kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'relu6' }).apply(merged);
    const separable = new SeparableConv2D({ filters: 5, kernelSize: 3, padding: 'valid', activation: 'selu' }).apply(merged);
    const normed = new BatchNormalization().apply(new AvgPool2D({ poolSize: 2, padding: 'same' }).apply(depthwise));
    const joined = new Concatenate().apply([new GlobalAveragePooling2D().apply(normed), new GlobalMaxPooling2D().apply(separable)]);
    const spatial = new Flatten().apply(new GlobalAveragePooling2D({ keepDims: true }).apply(separable));
    const gated = new Multiply().apply([new Dense({ units: 8, activation: 'sigmoid' }).apply(joined), new Dense({ units: 8, activation: 'softplus' }).apply(spatial)]);
    const reshaped = new Reshape({ targetShape: [2, 4] }).apply(new Dropout({ rate: 0.3 }).apply(gated));
    const sequence = new LayerNormalization().apply(new Dense({ units: 6, activation: 'gelu' }).apply(reshaped));
    const activations = ACTIVATIONS.map((name) => new Activation({ activation: name, name: `act_${name}` }).apply(sequence));
    const outputs = new Concatenate({ axis: 1 }).apply([new Flatten().apply(new Concatenate().apply(activations)), new UnitNormalization().apply(new BatchNormalization().apply(joined))]);
    const model = new Model({ inputs, outputs, name: 'every_layer' });
    randomizeWeights(model);
    const bytes = encodeOnnx(model);
    await checkWithOnnx(t, bytes);
    const difference = await maxDifference(model, randn([3, 17, 15, 4]), bytes);
    t.diagnostic(`every layer kind: max |tensile - onnxruntime| = ${difference.toExponential(2)}`);
    assert.ok(difference < TOLERANCE, `max difference ${difference}`);
  });

  it('refuses a layer it cannot export, naming it, and an unbuilt model', () => {
    const upsampling = new Sequential([new Conv2D({ filters: 2, kernelSize: 1, inputShape: [4, 4, 1] }), new UpSampling2D({ name: 'upsample' })]);
    assert.throws(() => encodeOnnx(upsampling), /^ValueError: onnx export: layer 'upsample' \(UpSampling2D\) has no ONNX export$/);
    assert.throws(() => encodeOnnx(new Sequential([new Dense({ units: 2 })], { name: 'unbuilt' })), /model 'unbuilt' is not built yet/);
    assert.throws(() => encodeOnnx(mnistCnn(), { opset: 9 }), /opset must be an integer from 13 to 21, got 9/);
  });
});
