/** Issue #28: unknown option keys and extra arguments are refused at the public boundary, with a "did you mean". */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tensile from '../src/index.js';
import { ValueError } from '../src/errors.js';
import { BaseLayer } from '../src/nn/layer.js';
import { additiveMarginSoftmaxLoss, AvgPool2D, avgPool2d, l2Normalize, conv2d, Conv2D, Dense, maxPool2d, MaxPool2D, mean, ones, rand, randn, slice, sum, variance, zeros } from '../src/index.js';

function assertRefused(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ValueError, `expected a ValueError, got ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  });
}

const x = ones([1, 6, 6, 2]);
const w = ones([3, 3, 2, 4]);

test('ops refuse unknown option keys, naming the accepted ones and the likely meant one', () => {
  assertRefused(() => conv2d(x, w, { stride: 2 } as object), /conv2d: unknown option 'stride'\. Did you mean 'strides'\? Accepted options: strides, padding, dilation, groups/);
  assertRefused(() => maxPool2d(x, { kernelSize: 3, stride: 2 } as object), /maxPool2d: unknown option 'kernelSize'\. Did you mean 'poolSize'\?/);
  assertRefused(() => avgPool2d(x, { poolSize: 3, stride: 2 } as object), /avgPool2d: unknown option 'stride'\. Did you mean 'strides'\?/);
  assertRefused(() => variance(x, undefined, { unbiased: true } as object), /variance: unknown option 'unbiased'\. Did you mean 'correction'\?/);
  assertRefused(() => variance(x, 1, { keepdims: true } as object), /Did you mean 'keepDims'\?/);
  assertRefused(() => randn([2], { requiresGrad: true } as object), /randn: unknown option 'requiresGrad' \(call \.requiresGrad_\(\) on the result.*Accepted options: dtype, backend, generator, mean, std/);
  assertRefused(() => rand([2], { hight: 3 } as object), /rand: unknown option 'hight'\. Did you mean 'high'\?/);
  assertRefused(() => zeros([2], { dtpye: 'int32' } as object), /zeros: unknown option 'dtpye'\. Did you mean 'dtype'\?/);
  assertRefused(() => l2Normalize(x, { axes: 1 } as object), /l2Normalize: unknown option 'axes'\. Did you mean 'axis'\?/);
  const cosines = tensile.tensor([[0.5, -0.2]]);
  const labels = tensile.tensor([0], [1], { dtype: 'int32' });
  assertRefused(() => additiveMarginSoftmaxLoss(cosines, labels, { margins: 0.2 } as object), /additiveMarginSoftmaxLoss: unknown option 'margins'\. Did you mean 'margin'\?/);
  // valid options still work
  assert.deepEqual(conv2d(x, w, { strides: 2, padding: 'same' }).shape, [1, 3, 3, 4]);
  assert.deepEqual(maxPool2d(x, { poolSize: 3, strides: 3 }).shape, [1, 2, 2, 2]);
  assert.ok(Math.abs(variance(tensile.tensor([1, 2, 3, 4]), undefined, { correction: 1 }).item() - 5 / 3) < 1e-6);
});

test('extra positional arguments are refused', () => {
  const t = tensile.arange(0, 10);
  const extra = slice as unknown as (...args: unknown[]) => unknown;
  assertRefused(() => extra(t, [0], [5]), /slice: takes at most 2 arguments, got 3/);
  const sumAny = sum as unknown as (...args: unknown[]) => unknown;
  assertRefused(() => sumAny(t, 0, false, 'extra'), /sum: takes at most 3 arguments, got 4/);
  const meanAny = mean as unknown as (...args: unknown[]) => unknown;
  assertRefused(() => meanAny(t, 0, true, {}), /mean: takes at most 3 arguments/);
  assert.deepEqual([...slice(t, [[2, 5]]).dataSync()], [2, 3, 4]);
});

test('layer constructors refuse unknown options', () => {
  assertRefused(() => new Conv2D({ filters: 4, kernelSize: 3, stride: 2 } as ConstructorParameters<typeof Conv2D>[0]), /Conv2D: unknown option 'stride'\. Did you mean 'strides'\?/);
  assertRefused(() => new MaxPool2D({ kernelSize: 3 } as object), /MaxPool2D: unknown option 'kernelSize'\. Did you mean 'poolSize'\?/);
  assertRefused(() => new AvgPool2D({ pool_size: 3 } as object), /AvgPool2D: unknown option 'pool_size'\. Did you mean 'poolSize'\?/);
  assertRefused(() => new Dense({ units: 3, activaton: 'relu' } as ConstructorParameters<typeof Dense>[0]), /Dense: unknown option 'activaton'\. Did you mean 'activation'\?/);
  assert.equal(new Dense({ units: 3, activation: 'relu', name: 'fc' }).name, 'fc');
});

test('every built-in layer class lists its options', () => {
  const unchecked = Object.entries(tensile)
    .filter((entry): entry is [string, typeof BaseLayer] => typeof entry[1] === 'function' && entry[1].prototype instanceof BaseLayer)
    .filter(([name, cls]) => !Object.hasOwn(cls, 'argNames') && !['Layer', 'MergeLayer', 'ImageAugmentation', 'ValueRangeAugmentation'].includes(name))
    .map(([name]) => name);
  assert.deepEqual(unchecked, []);
});

test('fit, evaluate, predict, compile, loss classes and loss ops refuse unknown options too', async () => {
  const model = new tensile.Sequential([new Dense({ units: 2, inputShape: [3] })]);
  assertRefused(() => model.compile({ optimizer: 'sgd', loss: 'mse', metric: ['accuracy'] } as Parameters<typeof model.compile>[0]), /compile: unknown option 'metric'\. Did you mean 'metrics'\?/);
  model.compile({ optimizer: 'sgd', loss: 'mse' });
  const data = ones([4, 3]);
  const targets = zeros([4, 2]);
  await assert.rejects(model.fit(data, targets, { epoch: 3, verbose: 0 } as object), /fit: unknown option 'epoch'\. Did you mean 'epochs'\?/);
  await assert.rejects(model.fit(data, targets, { batch_size: 2, verbose: 0 } as object), /fit: unknown option 'batch_size'\. Did you mean 'batchSize'\?/);
  await assert.rejects(model.evaluate(data, targets, { batchsize: 2 } as object), /evaluate: unknown option 'batchsize'\. Did you mean 'batchSize'\?/);
  assertRefused(() => model.predict(data, { batch: 2 } as object), /predict: unknown option 'batch'/);
  assertRefused(() => new tensile.SparseCategoricalCrossentropy({ from_logits: true } as object), /SparseCategoricalCrossentropy: unknown option 'from_logits'\. Did you mean 'fromLogits'\?/);
  assertRefused(() => new tensile.MeanSquaredError({ reduction: 'sum' } as object), /MeanSquaredError: unknown option 'reduction'\. Accepted options: none/);
  const logits = ones([2, 3]);
  const labels = tensile.tensor([0, 2], [2], { dtype: 'int32' });
  assertRefused(() => tensile.softmaxCrossEntropy(logits, labels, { label_smoothing: 0.1 } as object), /softmaxCrossEntropy: unknown option 'label_smoothing'\. Did you mean 'labelSmoothing'\?/);
});

test('optimizer constructors refuse unknown options', () => {
  assertRefused(() => new tensile.Adam({ lr: 0.1 } as object), /Adam: unknown option 'lr'\. Accepted options: learningRate, weightDecay, clipNorm, clipValue, beta1, beta2, epsilon/);
  assertRefused(() => new tensile.SGD({ learning_rate: 0.1 } as object), /SGD: unknown option 'learning_rate'\. Did you mean 'learningRate'\?/);
  assertRefused(() => new tensile.AdamW({ weightdecay: 0.1 } as object), /AdamW: unknown option 'weightdecay'\. Did you mean 'weightDecay'\?/);
  assert.equal(new tensile.RMSprop({ learningRate: 0.01, rho: 0.8 }).learningRate, 0.01);
});

test('callback and metric constructors refuse unknown options', () => {
  assertRefused(() => new tensile.EarlyStopping({ patient: 3 } as object), /EarlyStopping: unknown option 'patient'\. Did you mean 'patience'\?/);
  assertRefused(() => new tensile.ReduceLROnPlateau({ min_lr: 1e-5 } as object), /ReduceLROnPlateau: unknown option 'min_lr'/);
  assertRefused(() => new tensile.SparseCategoricalAccuracy({ threshold: 0.3 } as object), /SparseCategoricalAccuracy: unknown option 'threshold'\. Accepted options: name/);
  assertRefused(() => new tensile.AUC({ num_thresholds: 10 } as object), /AUC: unknown option 'num_thresholds'\. Did you mean 'numThresholds'\?/);
});

test('data, vision and model-file functions refuse unknown options too', async () => {
  const image = new tensile.RawImage(new Uint8Array(16), 4, 4, 1);
  assertRefused(() => tensile.Dataset.from([1, 2]).map((v) => v, { parallelism: 2 } as object), /Dataset\.map: unknown option 'parallelism'\. Did you mean 'parallel'\?/);
  assertRefused(() => tensile.normalize(image, { stds: [1] } as object), /normalize: unknown option 'stds'\. Did you mean 'std'\?/);
  assertRefused(() => tensile.augment(image, new tensile.Generator(1), { flip: 0.5 } as object), /augment: unknown option 'flip'/);
  assertRefused(() => tensile.detectFaces(image, { minSise: 36 } as unknown as tensile.DetectOptions), /detectFaces: unknown option 'minSise'\. Did you mean 'minSize'\?/);
  assertRefused(() => tensile.hog(tensile.zeros([12, 12]), { cellsize: 4 } as object), /hog: unknown option 'cellsize'\. Did you mean 'cellSize'\?/);
  assertRefused(() => tensile.modelFromBytes(new Uint8Array(8), 'm.safetensors', { skipCrc: true } as object), /modelFromBytes: unknown option 'skipCrc'/);
  await assert.rejects(tensile.parseCsvRows('a,b\n', { delimeter: ';' } as object).next(), /parseCsvRows: unknown option 'delimeter'\. Did you mean 'delimiter'\?/);
});
