/** Issue #28: losses and metrics refuse labels and probabilities they would otherwise misread silently. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Dense, Sequential, TerminateOnNaN, tensor } from '../../src/index.js';
import { ValueError } from '../../src/errors.js';
import { binaryCrossEntropy, binaryCrossEntropyWithLogits, nllLoss, softmaxCrossEntropy } from '../../src/ops/losses.js';
import { BinaryCrossentropy, SparseCategoricalCrossentropy } from '../../src/train/losses.js';
import { SparseCategoricalAccuracy } from '../../src/train/metrics/accuracy.js';

function assertValueError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ValueError, `expected a ValueError, got ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  });
}

const logits = tensor([[1, 2, 3], [0, 1, 0], [2, 0, 1]]);

test('class labels must be integers in [0, classes): the op and the first bad index are named', () => {
  assertValueError(() => softmaxCrossEntropy(logits, tensor([0, -1, 2], [3], { dtype: 'int32' })), /softmaxCrossEntropy: label -1 at index 1 is not a class index in \[0, 3\)/);
  assertValueError(() => softmaxCrossEntropy(logits, tensor([0, 1, 3], [3], { dtype: 'int32' })), /softmaxCrossEntropy: label 3 at index 2/);
  assertValueError(() => nllLoss(logits, tensor([5, 0, 0], [3], { dtype: 'int32' })), /nllLoss: label 5 at index 0/);
  const loss = new SparseCategoricalCrossentropy({ fromLogits: true });
  assertValueError(() => loss.forward(logits, tensor([0, 0.5, 0.9])), /SparseCategoricalCrossentropy: label 0.5 at index 1 is not a class index/);
  assertValueError(() => loss.forward(logits, tensor([[0], [1], [-1]])), /label -1 at index \[2, 0\]/);
  assertValueError(() => new SparseCategoricalAccuracy().update(logits, tensor([0, 7, 1])), /SparseCategoricalAccuracy: label 7 at index 1/);
  assert.ok(Number.isFinite(loss.forward(logits, tensor([2, 1, 0])).item()));
});

test('binary cross-entropy refuses targets and probabilities outside [0, 1]', () => {
  const probabilities = tensor([0.2, 0.7, 0.5, 0.9]);
  assertValueError(() => binaryCrossEntropy(probabilities, tensor([0, 1, 4, 0])), /binaryCrossEntropy: target 4 at index 2 is outside \[0, 1\]/);
  assertValueError(() => binaryCrossEntropy(tensor([0.2, 1.5, 0.5, 0.9]), tensor([0, 1, 1, 0])), /binaryCrossEntropy: probability 1.5 at index 1 is outside \[0, 1\]/);
  assertValueError(() => binaryCrossEntropyWithLogits(tensor([3, -2, 0, 1]), tensor([0, 1, -1, 0])), /binaryCrossEntropyWithLogits: target -1 at index 2/);
  assertValueError(() => new BinaryCrossentropy().forward(probabilities, tensor([0, 1, 2, 0])), /binaryCrossEntropy: target 2 at index 2/);
  assert.ok(Number.isFinite(binaryCrossEntropy(probabilities, tensor([0, 1, 0.5, 1])).item()));
});

test('TerminateOnNaN stops training quietly on its own, without stopOnNonFiniteLoss', async (t) => {
  const warnings: unknown[] = [];
  t.mock.method(console, 'warn', (...args: unknown[]) => warnings.push(args));
  const model = new Sequential([new Dense({ units: 1, inputShape: [2] })]);
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  const x = tensor([[1, 2], [3, Number.NaN], [5, 6], [7, 8]]);
  const y = tensor([[1], [2], [3], [4]]);
  const history = await model.fit(x, y, { epochs: 3, batchSize: 2, shuffle: false, verbose: 0, callbacks: [new TerminateOnNaN()] });
  assert.equal(history.epoch.length, 1, 'stopped in the first epoch');
  assert.equal(warnings.length, 1);
});
