/**
 * Every layer, table-driven: (1) the symbolic output shape matches the computed one, (2) gradients
 * reach the input and every parameter and match a central finite difference along a random
 * direction, (3) a model holding the layer survives a save/load round trip with equal outputs.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { forEachBackend } from '../helpers/backends.js';
import { add, manualSeed, mean, mul, noGrad, rand, randint, randn, randperm, sub, sum, tensor, type Tensor } from '../../src/index.js';
import { sizeOf } from '../../src/tensor/shape.js';
import {
  Activation, Add, AvgPool2D, BatchNormalization, Concatenate, Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D, Dense, Dropout, Embedding, Flatten,
  GlobalAveragePooling2D, GlobalMaxPooling2D, GRU, Input, LayerNormalization, UnitNormalization, Linear, LSTM, MaxPool2D, MergeLayer, Model, Multiply, RandomAffine, RandomBrightness, RandomContrast, RandomErasing, RandomFlip, RandomRotation,
  RandomTranslation, RandomZoom, Rescaling, Reshape, SeparableConv2D, Sequential, SpatialDropout, UpSampling2D, ZeroPadding2D, type FillMode, type Layer,
} from '../../src/nn/index.js';
import { modelFromBytes, modelToBytes } from '../../src/saving/index.js';
import { assertClose } from '../helpers/assert.js';

interface Spec {
  readonly name: string;
  readonly make: () => Layer | MergeLayer;
  /** One shape per input (no dtype: float32 normal values). */
  readonly inputs: readonly (readonly number[])[];
  /** Inputs spaced at least 0.5 apart, so a max cannot switch under the finite difference. */
  readonly distinct?: boolean;
  /** Integer inputs in [0, n) (Embedding). */
  readonly intRange?: number;
  readonly expected: readonly number[];
}

const SPECS: readonly Spec[] = [
  { name: 'Dense', make: () => new Dense({ units: 3, activation: 'tanh' }), inputs: [[2, 5]], expected: [2, 3] },
  { name: 'Dense (rank 3)', make: () => new Dense({ units: 3 }), inputs: [[2, 4, 5]], expected: [2, 4, 3] },
  { name: 'Linear', make: () => new Linear(5, 3), inputs: [[2, 5]], expected: [2, 3] },
  { name: 'Conv1D', make: () => new Conv1D({ filters: 4, kernelSize: 3, strides: 2, padding: 'same' }), inputs: [[2, 7, 3]], expected: [2, 4, 4] },
  { name: 'Conv2D', make: () => new Conv2D({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }), inputs: [[2, 6, 6, 3]], expected: [2, 3, 3, 4] },
  { name: 'Conv2D (groups, dilation)', make: () => new Conv2D({ filters: 6, kernelSize: 2, groups: 3, dilationRate: 2 }), inputs: [[2, 5, 5, 3]], expected: [2, 3, 3, 6] },
  { name: 'Conv2DTranspose', make: () => new Conv2DTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same' }), inputs: [[2, 3, 3, 2]], expected: [2, 6, 6, 3] },
  { name: 'DepthwiseConv2D', make: () => new DepthwiseConv2D({ kernelSize: 3, depthMultiplier: 2 }), inputs: [[2, 5, 5, 3]], expected: [2, 3, 3, 6] },
  { name: 'SeparableConv2D', make: () => new SeparableConv2D({ filters: 4, kernelSize: 3, padding: 'same' }), inputs: [[2, 5, 5, 3]], expected: [2, 5, 5, 4] },
  { name: 'MaxPool2D', make: () => new MaxPool2D({ poolSize: 2 }), inputs: [[2, 4, 5, 3]], distinct: true, expected: [2, 2, 2, 3] },
  { name: 'AvgPool2D', make: () => new AvgPool2D({ poolSize: 3, strides: 1, padding: 'same' }), inputs: [[2, 4, 4, 3]], expected: [2, 4, 4, 3] },
  { name: 'GlobalAveragePooling2D', make: () => new GlobalAveragePooling2D(), inputs: [[2, 3, 4, 5]], expected: [2, 5] },
  { name: 'GlobalMaxPooling2D', make: () => new GlobalMaxPooling2D({ keepDims: true }), inputs: [[2, 3, 4, 5]], distinct: true, expected: [2, 1, 1, 5] },
  { name: 'BatchNormalization (1-D)', make: () => new BatchNormalization(), inputs: [[6, 3]], expected: [6, 3] },
  { name: 'BatchNormalization (2-D)', make: () => new BatchNormalization({ momentum: 0.9 }), inputs: [[2, 3, 3, 4]], expected: [2, 3, 3, 4] },
  { name: 'LayerNormalization', make: () => new LayerNormalization(), inputs: [[2, 5]], expected: [2, 5] },
  { name: 'UnitNormalization', make: () => new UnitNormalization(), inputs: [[3, 5]], expected: [3, 5] },
  { name: 'Dropout', make: () => new Dropout({ rate: 0.5 }), inputs: [[2, 6]], expected: [2, 6] },
  { name: 'SpatialDropout', make: () => new SpatialDropout({ rate: 0.5 }), inputs: [[2, 3, 3, 4]], expected: [2, 3, 3, 4] },
  { name: 'Flatten', make: () => new Flatten(), inputs: [[2, 3, 2]], expected: [2, 6] },
  { name: 'Reshape', make: () => new Reshape({ targetShape: [3, -1] }), inputs: [[2, 6]], expected: [2, 3, 2] },
  { name: 'Embedding', make: () => new Embedding({ inputDim: 10, outputDim: 3 }), inputs: [[2, 4]], intRange: 10, expected: [2, 4, 3] },
  { name: 'Activation', make: () => new Activation({ activation: 'gelu' }), inputs: [[2, 5]], expected: [2, 5] },
  { name: 'ZeroPadding2D', make: () => new ZeroPadding2D({ padding: [[1, 0], [2, 1]] }), inputs: [[2, 3, 3, 2]], expected: [2, 4, 6, 2] },
  { name: 'UpSampling2D', make: () => new UpSampling2D({ size: [2, 3] }), inputs: [[2, 2, 2, 3]], expected: [2, 4, 6, 3] },
  { name: 'Concatenate', make: () => new Concatenate(), inputs: [[2, 3], [2, 4]], expected: [2, 7] },
  { name: 'Add', make: () => new Add(), inputs: [[2, 3], [2, 3]], expected: [2, 3] },
  { name: 'Multiply', make: () => new Multiply(), inputs: [[2, 3], [2, 3], [2, 3]], expected: [2, 3] },
  { name: 'LSTM', make: () => new LSTM({ units: 5, returnSequences: true }), inputs: [[2, 4, 3]], expected: [2, 4, 5] },
  { name: 'GRU', make: () => new GRU({ units: 5 }), inputs: [[2, 4, 3]], expected: [2, 5] },
  { name: 'Rescaling', make: () => new Rescaling({ scale: 1 / 255, offset: -0.5 }), inputs: [[2, 3]], expected: [2, 3] },
  { name: 'RandomFlip', make: () => new RandomFlip(), inputs: [[3, 4, 5, 2]], expected: [3, 4, 5, 2] },
  { name: 'RandomRotation', make: () => new RandomRotation({ factor: 0.1 }), inputs: [[2, 5, 5, 2]], expected: [2, 5, 5, 2] },
  { name: 'RandomZoom', make: () => new RandomZoom({ heightFactor: 0.2 }), inputs: [[2, 5, 5, 2]], expected: [2, 5, 5, 2] },
  { name: 'RandomTranslation', make: () => new RandomTranslation({ heightFactor: 0.2, widthFactor: 0.1 }), inputs: [[2, 5, 5, 2]], expected: [2, 5, 5, 2] },
  { name: 'RandomAffine', make: () => new RandomAffine({ horizontalFlip: true, rotation: 0.1, zoom: 0.2, translation: 0.1 }), inputs: [[2, 5, 5, 2]], expected: [2, 5, 5, 2] },
  { name: 'RandomAffine (reflect fill)', make: () => new RandomAffine({ rotation: 0.1, translation: 0.3, fillMode: 'reflect' }), inputs: [[2, 5, 5, 2]], expected: [2, 5, 5, 2] },
  // Value ranges wide enough that the clipping leaves the normal inputs alone.
  { name: 'RandomBrightness', make: () => new RandomBrightness({ factor: 0.2, valueRange: [-20, 20] }), inputs: [[3, 4, 4, 2]], expected: [3, 4, 4, 2] },
  { name: 'RandomContrast', make: () => new RandomContrast({ factor: [0.3, 0.5], valueRange: [-20, 20] }), inputs: [[3, 4, 4, 2]], expected: [3, 4, 4, 2] },
  { name: 'RandomErasing', make: () => new RandomErasing({ probability: 1, scale: [0.1, 0.4], value: 'random', valueRange: [-1, 1] }), inputs: [[3, 6, 6, 2]], expected: [3, 6, 6, 2] },
];

function makeInputs(spec: Spec): Tensor[] {
  return spec.inputs.map((shape) => {
    if (spec.intRange) return randint(0, spec.intRange, shape);
    if (spec.distinct) return randperm(sizeOf(shape)).cast('float32').mul(0.5).reshape(shape);
    return randn(shape);
  });
}

function run(layer: Layer | MergeLayer, inputs: readonly Tensor[]): Tensor {
  return layer instanceof MergeLayer ? layer.forward(inputs) : (layer as Layer).forward(inputs[0]!);
}

/** A model of the layer alone, with Input()s of the spec's sample shapes. */
function wrap(spec: Spec, layer: Layer | MergeLayer): Model {
  const inputs = spec.inputs.map((shape) => Input({ shape: shape.slice(1), dtype: spec.intRange ? 'int32' : 'float32' }));
  const output = layer instanceof MergeLayer ? layer.apply(inputs) : (layer as Layer).apply(inputs[0]!);
  return new Model({ inputs, outputs: output });
}

forEachBackend('layers', () => {
  for (const spec of SPECS) {
    describe(spec.name, () => {
      it('declares the shape it computes', () => {
        manualSeed(1);
        const layer = spec.make();
        const symbolic = wrap(spec, layer).outputs[0]!.shape;
        const y = run(layer, makeInputs(spec));
        assert.deepEqual([...y.shape], [...spec.expected]);
        assert.deepEqual(symbolic, [null, ...spec.expected.slice(1)]);
      });

      it('passes gradients to its input and parameters (finite-difference check)', () => {
        manualSeed(2);
        const layer = spec.make();
        const inputs = makeInputs(spec);
        const float = spec.intRange === undefined;
        const readout = randn(spec.expected);
        // Random layers are reseeded before each evaluation so every evaluation draws the same mask.
        const f = (xs: readonly Tensor[]): Tensor => {
          manualSeed(99);
          return sum(mul(run(layer, xs), readout));
        };
        const leaves = float ? inputs.map((x) => x.requiresGrad_()) : [];
        f(inputs).backward();
        const params = layer.parameters();
        for (const [name, p] of layer.namedParameters()) {
          assert.ok(p.grad, `${name} has no gradient`);
          assert.ok([...p.grad.dataSync()].every(Number.isFinite), `${name} gradient is not finite`);
          assert.ok([...p.grad.dataSync()].some((v) => v !== 0), `${name} gradient is all zero`);
        }
        for (const x of leaves) assert.ok(x.grad && [...x.grad.dataSync()].some((v) => v !== 0), 'input gradient missing or zero');
        const wrt = [...leaves, ...params];
        if (wrt.length === 0) return;
        const directions = wrt.map((t) => randn(t.shape));
        const analytic = wrt.reduce((s, t, i) => s + sum(mul(t.grad!, directions[i]!)).item(), 0);
        const eps = 1e-2;
        const shifted = (sign: number): number =>
          noGrad(() => {
            const saved = params.map((p) => p.clone());
            params.forEach((p, i) => p.assign(p.add(directions[leaves.length + i]!.mul(sign * eps))));
            const xs = float ? inputs.map((x, i) => x.add(directions[i]!.mul(sign * eps))) : inputs;
            const value = f(xs).item();
            params.forEach((p, i) => p.assign(saved[i]!));
            return value;
          });
        const numeric = (shifted(1) - shifted(-1)) / (2 * eps);
        assert.ok(Math.abs(analytic - numeric) <= 3e-2 * Math.max(Math.abs(analytic), Math.abs(numeric)) + 2e-3, `directional derivative ${analytic} vs finite difference ${numeric}`);
      });

      it('round-trips through a model file', () => {
        manualSeed(3);
        const layer = spec.make();
        const model = wrap(spec, layer);
        const inputs = makeInputs(spec);
        model.train();
        run(layer, inputs); // moves BatchNormalization's statistics away from their initial values
        const expected = model.predict(inputs);
        const restored = modelFromBytes(modelToBytes(model), `${spec.name}.safetensors`);
        assertClose(restored.predict(inputs) as Tensor, expected, { rtol: 0, atol: 0 });
        assert.deepEqual(restored.layers.map((l) => l.getConfig()), model.layers.map((l) => l.getConfig()));
      });
    });
  }

  it('RandomAffine resamples once what the chain of rotation and translation layers gives (exact quarter turn, whole-pixel shift)', () => {
    const x = randn([2, 5, 5, 3]);
    const quarter = [0.25, 0.25] as const;
    const onePixel = [0.2, 0.2] as const;
    const chained = new RandomTranslation({ heightFactor: onePixel, widthFactor: onePixel }).apply(new RandomRotation({ factor: quarter }).apply(x));
    assertClose(new RandomAffine({ rotation: quarter, translation: onePixel }).apply(x), chained, { atol: 1e-6 });
  });

  it('fills pixels shifted in from outside the image as fillMode says', () => {
    const row = tensor([1, 2, 3, 4, 5], [1, 1, 5, 1]);
    const twoRight = [0.4, 0.4] as const;
    const expected = { constant: [0, 0, 1, 2, 3], reflect: [2, 1, 1, 2, 3], nearest: [1, 1, 1, 2, 3], wrap: [4, 5, 1, 2, 3] } as const;
    for (const [fillMode, values] of Object.entries(expected) as [FillMode, readonly number[]][]) {
      const shifted = new RandomTranslation({ heightFactor: 0, widthFactor: twoRight, fillMode }).apply(row);
      assertClose(shifted, tensor([...values], [1, 1, 5, 1]), { atol: 1e-6, message: fillMode });
    }
    assert.throws(() => new RandomAffine({ fillMode: 'mirror' as FillMode }), /RandomAffine: fillMode must be one of constant, reflect, nearest, wrap, got "mirror"/);
  });

  it('RandomBrightness shifts each image by one offset within the factor, clips to the value range and is the identity in inference', () => {
    manualSeed(5);
    const x = rand([4, 3, 3, 2]);
    const layer = new RandomBrightness({ factor: 0.25, valueRange: [0, 1] });
    const y = layer.apply(x);
    const [xs, ys] = [x.dataSync(), y.dataSync()];
    const perImage = 18;
    for (let image = 0; image < 4; image++) {
      const offsets = Array.from({ length: perImage }, (_, i) => ys[image * perImage + i]! - xs[image * perImage + i]!);
      const unclipped = offsets.filter((_, i) => ys[image * perImage + i]! > 0 && ys[image * perImage + i]! < 1);
      assert.ok(unclipped.length > 0 && unclipped.every((d) => Math.abs(d - unclipped[0]!) < 1e-6 && Math.abs(d) <= 0.25), `image ${image}: offsets ${unclipped.join(', ')}`);
      assert.ok(Array.from(ys.subarray(image * perImage, (image + 1) * perImage)).every((v) => v >= 0 && v <= 1));
    }
    layer.train(false);
    assertClose(layer.apply(x), x, { rtol: 0, atol: 0 });
    assert.throws(() => new RandomBrightness({ factor: 1.5 }), /RandomBrightness: factor must lie within \[-1, 1\], got 1\.5/);
    assert.throws(() => new RandomBrightness({ factor: 0.1, valueRange: [1, 0] }), /RandomBrightness: valueRange must be \[low, high\] with low < high, got \[1,0\]/);
  });

  it('RandomContrast scales each image about its channel means by one factor in 1 ± factor and keeps those means', () => {
    manualSeed(6);
    const x = add(mul(rand([3, 4, 4, 2]), 50), 100);
    const y = new RandomContrast({ factor: 0.4 }).apply(x);
    assertClose(mean(y, [1, 2]), mean(x, [1, 2]), { atol: 1e-3 });
    const centred = (t: Tensor): Float32Array => sub(t, mean(t, [1, 2], true)).dataSync() as Float32Array;
    const [cx, cy] = [centred(x), centred(y)];
    for (let image = 0; image < 3; image++) {
      const pixels = Array.from({ length: 32 }, (_, i) => image * 32 + i);
      const widest = pixels.reduce((a, b) => (Math.abs(cx[b]!) > Math.abs(cx[a]!) ? b : a));
      const factor = cy[widest]! / cx[widest]!;
      assert.ok(factor >= 0.6 - 1e-4 && factor <= 1.4 + 1e-4, `image ${image}: factor ${factor}`);
      for (const p of pixels) assert.ok(Math.abs(cy[p]! - factor * cx[p]!) < 1e-3, `image ${image}, pixel ${p}: ${cy[p]} vs ${factor} × ${cx[p]}`);
    }
    assert.throws(() => new RandomContrast({ factor: -0.1 }), /RandomContrast: factor must be in \[0, 1\]/);
  });

  it('RandomErasing overwrites one rectangle of each chosen image, of the asked area share, with the fill', () => {
    manualSeed(7);
    const [n, h, w] = [40, 10, 10];
    const x = add(rand([n, h, w, 1]), 2); // every pixel differs from the fill value 0
    const ys = new RandomErasing({ probability: 0.5, scale: [0.1, 0.3], ratio: [0.5, 2] }).apply(x).dataSync();
    const xs = x.dataSync();
    let erasedImages = 0;
    for (let image = 0; image < n; image++) {
      const erased: [number, number][] = [];
      for (let p = 0; p < h * w; p++) {
        const i = image * h * w + p;
        if (ys[i] !== xs[i]) {
          assert.equal(ys[i], 0);
          erased.push([Math.floor(p / w), p % w]);
        }
      }
      if (erased.length === 0) continue;
      erasedImages++;
      const rows = new Set(erased.map(([r]) => r)).size;
      const columns = new Set(erased.map(([, c]) => c)).size;
      assert.equal(erased.length, rows * columns, `image ${image}: the erased pixels are not one rectangle`);
      assert.ok(erased.length >= 0.1 * h * w * 0.6 && erased.length <= 0.3 * h * w * 1.6, `image ${image}: ${erased.length} pixels erased`);
    }
    assert.ok(erasedImages > 10 && erasedImages < 30, `${erasedImages} of ${n} images erased at probability 0.5`);
    const inference = new RandomErasing({ probability: 1 });
    inference.train(false);
    assertClose(inference.apply(x), x, { rtol: 0, atol: 0 });
    assert.throws(() => new RandomErasing({ scale: [0.5, 0.1] }), /RandomErasing: scale must be \[low, high\] with 0 < low ≤ high, got \[0\.5,0\.1\]/);
    assert.throws(() => new RandomErasing({ probability: 2 }), /RandomErasing: probability must be in \[0, 1\], got 2/);
  });

  it('a Sequential model round-trips too, including lazily built ones', () => {
    manualSeed(4);
    const model = new Sequential([new Conv2D({ filters: 2, kernelSize: 3 }), new Flatten(), new Dense({ units: 2 })]);
    const x = randn([3, 5, 5, 1]);
    const expected = model.predict(x);
    const restored = modelFromBytes(modelToBytes(model), 'sequential.safetensors');
    assert.ok(restored instanceof Sequential);
    assertClose(restored.predict(x) as Tensor, expected, { rtol: 0, atol: 0 });
  });
});
