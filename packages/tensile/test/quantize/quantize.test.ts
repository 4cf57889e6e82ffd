/**
 * Post-training int8 quantisation: scale computation, per-channel weights, the WASM int8 conv/GEMM
 * against an exact integer reference and against the float model (within quantisation error),
 * batch-norm folding, unsupported layers, and the int8 model file round trip.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { getBackend, setBackend } from '../../src/backend/registry.js';
import { BackendError } from '../../src/errors.js';
import '../../src/node.js';
import { Activation, BatchNormalization, Conv2D, Dense, Flatten, GlobalAveragePooling2D, LSTM, MaxPool2D, Sequential } from '../../src/nn/index.js';
import { tensor } from '../../src/ops/creation.js';
import {
  Int8Runtime, QuantizationError, affineParams, dequantizeValue, isQuantizedModelFile, quantizeModel, quantizePerChannel, quantizeValue,
  quantizedModelFromBytes, quantizedModelToBytes, type QuantizedModel,
} from '../../src/quantize/index.js';
import { ModelFileError } from '../../src/saving/errors.js';
import { Generator, manualSeed } from '../../src/tensor/random.js';
import { moduleUrl, runInFreshProcess } from '../helpers/fresh-process.js';
import { tempDir } from 'tensile-test-support';

function uniform(count: number, random: Generator, low = 0, high = 1): Float32Array {
  return Float32Array.from({ length: count }, () => low + (high - low) * random.random());
}

describe('scales', () => {
  it('affine activation params cover the range, include 0 exactly and map its ends to −128 and 127', () => {
    const relu = affineParams(0, 2.55);
    assert.ok(Math.abs(relu.scale - 0.01) < 1e-12);
    assert.equal(relu.zeroPoint, -128);
    const mixed = affineParams(-1, 3);
    assert.equal(quantizeValue(0, mixed), mixed.zeroPoint);
    assert.equal(dequantizeValue(quantizeValue(0, mixed), mixed), 0);
    assert.equal(quantizeValue(-1, mixed), -128);
    assert.equal(quantizeValue(3, mixed), 127);
    assert.equal(quantizeValue(100, mixed), 127, 'values beyond the range saturate');
    // A range that excludes 0 is widened to include it; a constant-zero range gets scale 1.
    assert.equal(affineParams(1, 2).zeroPoint, -128);
    assert.deepEqual(affineParams(0, 0), { scale: 1, zeroPoint: 0 });
    assert.throws(() => affineParams(2, 1), /invalid range/);
  });

  it('per-channel weights: one scale per output channel, max |w| maps to 127, error ≤ half a step', () => {
    // Channel 1 is 1000× smaller than channel 0: a per-tensor scale would round it all to zero.
    const rows = Float32Array.from([0.5, -1.0, 0.25, 0.0005, -0.001, 0.00025]);
    const { values, scales } = quantizePerChannel(rows, 2, 3);
    assert.ok(Math.abs(scales[0]! - 1 / 127) < 1e-9);
    assert.ok(Math.abs(scales[1]! - 0.001 / 127) < 1e-12);
    assert.equal(values[1], -127);
    assert.equal(values[4], -127);
    for (let i = 0; i < rows.length; i++) {
      const channel = Math.floor(i / 3);
      assert.ok(Math.abs(values[i]! * scales[channel]! - rows[i]!) <= (scales[channel]! / 2) * (1 + 1e-5), `weight ${i}`);
    }
    assert.throws(() => quantizePerChannel(rows, 4, 2), /do not fill 4×2/);
  });
});

/** One 3×3 'same' conv producing float output: the int8 kernels' integer arithmetic, checked exactly. */
function singleConvModel(random: Generator, inChannels: number, outChannels: number): QuantizedModel {
  const depth = 9 * inChannels;
  const weights = Int8Array.from({ length: outChannels * depth }, () => random.int(-127, 128));
  return {
    name: 'one_conv', inputShape: [5, 5, inChannels], input: affineParams(0, 1), metadata: {},
    layers: [{
      kind: 'conv', name: 'conv', kernelHeight: 3, kernelWidth: 3, inChannels, outChannels, padding: 'same', weights,
      weightScales: uniform(outChannels, random, 0.001, 0.01), bias: uniform(outChannels, random, -0.5, 0.5), relu: false, output: null,
    }],
  };
}

describe('int8 WASM kernels', () => {
  it('conv (im2col + int16 dot GEMM) equals the integer reference, with zero-point padding exact', () => {
    const random = new Generator(3);
    // 11 input channels: depth 99 is not a multiple of 8, so the zero-filled tail is exercised too;
    // 25 output pixels (odd) and 6 channels (4 + 2) exercise the GEMM's partial row and channel blocks.
    const model = singleConvModel(random, 11, 6);
    const conv = model.layers[0]!;
    assert.equal(conv.kind, 'conv');
    if (conv.kind !== 'conv') return;
    const [h, w, c] = model.inputShape;
    const image = uniform(h * w * c, random);
    const q = Array.from(image, (x) => quantizeValue(x, model.input));
    const got = new Int8Runtime(model).predictLogits(image, 1);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let o = 0; o < conv.outChannels; o++) {
          let sum = 0;
          for (let ky = 0; ky < 3; ky++) {
            for (let kx = 0; kx < 3; kx++) {
              const iy = y + ky - 1;
              const ix = x + kx - 1;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue; // padding is real 0 = the zero point
              for (let ci = 0; ci < c; ci++) sum += (q[(iy * w + ix) * c + ci]! - model.input.zeroPoint) * conv.weights[o * 9 * c + (ky * 3 + kx) * c + ci]!;
            }
          }
          const expected = sum * model.input.scale * conv.weightScales[o]! + conv.bias[o]!;
          const actual = got[(y * w + x) * conv.outChannels + o]!;
          assert.ok(Math.abs(actual - expected) <= 1e-5 * Math.max(1, Math.abs(expected)), `(${y},${x},${o}): ${actual} vs ${expected}`);
        }
      }
    }
  });

  it('a quantised conv/pool/dense network matches the float model within quantisation error', async () => {
    manualSeed(11);
    const model = new Sequential(
      [
        new Conv2D({ filters: 12, kernelSize: 3, padding: 'same', activation: 'relu' }),
        new MaxPool2D({ poolSize: 2 }),
        new Conv2D({ filters: 20, kernelSize: 3, activation: 'relu' }),
        new Flatten(),
        new Dense({ units: 16, activation: 'relu' }),
        new Dense({ units: 3 }),
      ],
      { inputShape: [10, 10, 2] },
    );
    const random = new Generator(5);
    const calibration = tensor(uniform(32 * 200, random), [32, 10, 10, 2]);
    const quantized = await quantizeModel(model, [calibration]);
    assert.deepEqual(quantized.layers.map((l) => l.kind), ['conv', 'maxPool', 'conv', 'flatten', 'conv', 'conv']);
    const images = uniform(16 * 200, random);
    const expected = model.predict(tensor(images, [16, 10, 10, 2])).dataSync() as Float32Array;
    const actual = new Int8Runtime(quantized).predictLogits(images, 16);
    const spread = Math.max(...expected) - Math.min(...expected);
    const worst = Math.max(...Array.from(expected, (e, i) => Math.abs(e - actual[i]!)));
    // Four requantised layers, each off by up to half an output step, summed by random (untrained,
    // hence large and unstructured) weights: measured 6.6% of the logit spread here, bounded at 10%.
    assert.ok(worst < 0.1 * spread, `largest logit error ${worst} vs logit spread ${spread}`);
  });

  it('global average pooling: the rounded mean of the int8 values, and a GAP-headed network matches the float model', async () => {
    // Kernel against the integer reference: 20 channels over a 2×2 image; channels 0 and 1 hold the
    // ties +0.5 and −0.5, which round upwards as Math.round does.
    const random = new Generator(9);
    const image = Int8Array.from({ length: 4 * 20 }, () => random.int(-128, 128));
    [[1, 1, 0, 0], [-1, -1, 0, 0]].forEach((values, c) => values.forEach((v, p) => (image[p * 20 + c] = v)));
    const pooled: QuantizedModel = {
      name: 'gap', inputShape: [2, 2, 20], input: { scale: 1, zeroPoint: 0 }, metadata: {},
      layers: [
        { kind: 'globalAveragePool', name: 'gap' },
        { kind: 'conv', name: 'identity', kernelHeight: 1, kernelWidth: 1, inChannels: 20, outChannels: 20, padding: 'valid', weights: Int8Array.from({ length: 400 }, (_, i) => (i % 21 === 0 ? 1 : 0)), weightScales: new Float32Array(20).fill(1), bias: new Float32Array(20), relu: false, output: null },
      ],
    };
    const actual = new Int8Runtime(pooled).predictLogits(Float32Array.from(image), 1);
    for (let c = 0; c < 20; c++) {
      let sum = 0;
      for (let p = 0; p < 4; p++) sum += image[p * 20 + c]!;
      assert.equal(actual[c], Math.round(sum / 4) + 0, `channel ${c}`);
    }
    assert.deepEqual([actual[0], actual[1]], [1, 0]);
    manualSeed(4);
    const model = new Sequential(
      [
        new Conv2D({ filters: 8, kernelSize: 3, padding: 'same', useBias: false }), new BatchNormalization(), new Activation({ activation: 'relu' }),
        new MaxPool2D({ poolSize: 2 }),
        new Conv2D({ filters: 24, kernelSize: 3, padding: 'same', activation: 'relu' }),
        new GlobalAveragePooling2D(),
        new Dense({ units: 16, activation: 'relu' }),
        new Dense({ units: 2 }),
      ],
      { inputShape: [8, 8, 1] },
    );
    const quantized = await quantizeModel(model, [tensor(uniform(32 * 64, random), [32, 8, 8, 1])]);
    assert.deepEqual(quantized.layers.map((l) => l.kind), ['conv', 'maxPool', 'conv', 'globalAveragePool', 'conv', 'conv']);
    const reloaded = quantizedModelFromBytes(quantizedModelToBytes(quantized), 'gap.safetensors');
    const images = uniform(16 * 64, random);
    const expected = model.predict(tensor(images, [16, 8, 8, 1])).dataSync() as Float32Array;
    const logits = new Int8Runtime(reloaded).predictLogits(images, 16);
    const spread = Math.max(...expected) - Math.min(...expected);
    expected.forEach((e, i) => assert.ok(Math.abs(e - logits[i]!) < 0.05 * spread, `logit ${i}: ${logits[i]} vs ${e} (spread ${spread})`));
  });

  it('folds batch normalisation into the conv and fuses an Activation ReLU', async () => {
    manualSeed(2);
    const norm = new BatchNormalization();
    const model = new Sequential(
      [new Conv2D({ filters: 8, kernelSize: 3, padding: 'same', useBias: false }), norm, new Activation({ activation: 'relu' }), new Flatten(), new Dense({ units: 2 })],
      { inputShape: [6, 6, 1] },
    );
    const random = new Generator(8);
    norm.movingMean!.assign(tensor(uniform(8, random, -0.3, 0.3), [8]));
    norm.movingVariance!.assign(tensor(uniform(8, random, 0.2, 2), [8]));
    norm.gamma!.assign(tensor(uniform(8, random, 0.5, 1.5), [8]));
    norm.beta!.assign(tensor(uniform(8, random, -0.2, 0.2), [8]));
    const quantized = await quantizeModel(model, [tensor(uniform(32 * 36, random), [32, 6, 6, 1])]);
    assert.deepEqual(quantized.layers.map((l) => l.kind), ['conv', 'flatten', 'conv']);
    const images = uniform(8 * 36, random);
    const expected = model.predict(tensor(images, [8, 6, 6, 1])).dataSync() as Float32Array;
    const actual = new Int8Runtime(quantized).predictLogits(images, 8);
    const spread = Math.max(...expected) - Math.min(...expected);
    expected.forEach((e, i) => assert.ok(Math.abs(e - actual[i]!) < 0.05 * spread, `logit ${i}: ${actual[i]} vs ${e}`));
  });

  it('refuses layers without an int8 implementation, naming the layer', async () => {
    const model = new Sequential([new LSTM({ units: 4, name: 'memory' }), new Dense({ units: 2 })], { inputShape: [3, 2] });
    await assert.rejects(quantizeModel(model, [tensor(new Float32Array(12), [2, 3, 2])]), (e: unknown) => e instanceof QuantizationError && /'memory'/.test(e.message));
    const reluLast = new Sequential([new Flatten(), new Dense({ units: 2, activation: 'relu', name: 'head' })], { inputShape: [2, 2, 1] });
    await assert.rejects(quantizeModel(reluLast, [tensor(new Float32Array(8), [2, 2, 2, 1])]), /last layer must be a Conv2D or Dense without activation/);
  });
});

describe('int8 model file', () => {
  it('round-trips exactly, is recognised by its header, and names a truncated file', () => {
    const model = singleConvModel(new Generator(4), 3, 5);
    const bytes = quantizedModelToBytes(model);
    assert.ok(isQuantizedModelFile(bytes));
    assert.ok(!isQuantizedModelFile(new Uint8Array(16)));
    const back = quantizedModelFromBytes(bytes, 'mem.safetensors');
    assert.deepEqual(back, model);
    const image = uniform(5 * 5 * 3, new Generator(1));
    assert.deepEqual(new Int8Runtime(back).predictLogits(image, 1), new Int8Runtime(model).predictLogits(image, 1));
    assert.throws(() => quantizedModelFromBytes(bytes.subarray(0, bytes.length - 40), 'cut.safetensors'), (e: unknown) => e instanceof ModelFileError && /cut\.safetensors/.test(e.message));
    const flipped = bytes.slice();
    flipped[flipped.length - 1]! ^= 0xff;
    assert.throws(() => quantizedModelFromBytes(flipped, 'bad.safetensors'), /bad\.safetensors: .*checksum: the file is corrupt/);
  });
});

describe('int8 kernels through the backend contract', () => {
  it('Int8Runtime runs on the active backend\'s int8 kernels and names a backend that has none', () => {
    const model = singleConvModel(new Generator(5), 2, 4);
    const previous = getBackend().name;
    setBackend('reference');
    try {
      assert.throws(() => new Int8Runtime(model), (e: unknown) =>
        e instanceof BackendError && /active backend 'reference' has no int8 kernels/.test(e.message) && /setBackend\('wasm'\)/.test(e.message));
    } finally {
      setBackend(previous);
    }
    assert.equal(new Int8Runtime(model).predictLogits(uniform(5 * 5 * 2, new Generator(2)), 1).length, 5 * 5 * 4);
  });

  it('tensile/int8 runs a model file without registering or starting a float backend', async () => {
    const model = singleConvModel(new Generator(6), 3, 4);
    const image = uniform(5 * 5 * 3, new Generator(7));
    const file = path.join(await tempDir('tensile-int8-'), 'model.safetensors');
    await writeFile(file, quantizedModelToBytes(model));
    const output = await runInFreshProcess(`
      import { readFileSync } from 'node:fs';
      const { Int8Runtime, quantizedModelFromBytes } = await import(${moduleUrl('../../src/int8.js', import.meta.url)});
      const { backendNames } = await import(${moduleUrl('../../src/backend/registry.js', import.meta.url)});
      const runtime = new Int8Runtime(quantizedModelFromBytes(readFileSync(${JSON.stringify(file)}), 'model.safetensors'));
      const logits = runtime.predictLogits(Float32Array.from(${JSON.stringify(Array.from(image))}), 1);
      console.log(JSON.stringify({ backends: backendNames(), logits: Array.from(logits) }));`);
    const { backends, logits } = JSON.parse(output) as { backends: string[]; logits: number[] };
    assert.deepEqual(backends, [], 'no float backend registered');
    assert.deepEqual(logits, Array.from(new Int8Runtime(model).predictLogits(image, 1)));
  });
});
