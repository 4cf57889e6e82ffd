import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Generator, mixUp, slice, tensor } from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';

describe('mixUp', () => {
  const labels = [0, 1, 1, 0, 1, 0];
  // Each sample's input is [its label, its row]: mixing inputs and targets with the same λ and pairs
  // makes the first input column equal the mixed target of class 1.
  const x = tensor(labels.map((label, row) => [label, row]));
  const y = tensor(Int32Array.from(labels), [labels.length]);

  it('blends each sample with a shuffled partner by one λ ~ Beta(α, α), inputs and targets alike', () => {
    const mixed = mixUp(x, y, { alpha: 0.4, classes: 2, generator: new Generator(11) });
    // The same draws, by hand: λ first, then the pairing.
    const draws = new Generator(11);
    const lambda = draws.beta(0.4, 0.4);
    const partner = draws.shuffle(labels.map((_, i) => i));
    assert.ok(lambda > 0 && lambda < 1);
    assert.ok(partner.some((p, i) => p !== i), 'the pairing moves samples');
    const expectedX = labels.map((label, i) => [lambda * label + (1 - lambda) * labels[partner[i]!]!, lambda * i + (1 - lambda) * partner[i]!]);
    assertClose(mixed.x, tensor(expectedX), { atol: 1e-6 });
    const oneHot = (label: number): number[] => [label === 0 ? 1 : 0, label === 1 ? 1 : 0];
    const expectedY = labels.map((label, i) => oneHot(label).map((v, c) => lambda * v + (1 - lambda) * oneHot(labels[partner[i]!]!)[c]!));
    assertClose(mixed.y, tensor(expectedY), { atol: 1e-6 });
    assert.equal(mixed.y.dtype, 'float32');
  });

  it('takes one-hot targets and float class labels as well as int32 labels, and the global generator by default', () => {
    const oneHot = tensor(labels.map((label) => [1 - label, label]));
    const fromLabels = mixUp(x, y, { alpha: 0.2, classes: 2, generator: new Generator(5) });
    const fromOneHot = mixUp(x, oneHot, { alpha: 0.2, classes: 2, generator: new Generator(5) });
    const fromFloatLabels = mixUp(x, tensor(labels), { alpha: 0.2, classes: 2, generator: new Generator(5) });
    assertClose(fromOneHot.y, fromLabels.y, { atol: 0 });
    assertClose(fromFloatLabels.y, fromLabels.y, { atol: 0 });
    const mixed = mixUp(x, y, { alpha: 1, classes: 2 });
    assertClose(slice(mixed.x, [null, 0]), slice(mixed.y, [null, 1]), { atol: 1e-6 });
  });

  it('names what is wrong with its arguments', () => {
    assert.throws(() => mixUp(x, y, { alpha: 0, classes: 2 }), /mixUp: alpha must be a positive finite number, got 0/);
    assert.throws(() => mixUp(x, y, { alpha: 0.2, classes: 1.5 }), /mixUp: classes must be a positive integer, got 1\.5/);
    assert.throws(() => mixUp(x, tensor(new Int32Array([0, 1]), [2]), { alpha: 0.2, classes: 2 }), /mixUp: inputs \[6,2\] and targets \[2\] must have the same samples/);
    assert.throws(() => mixUp(x, tensor(new Int32Array([0, 1, 2, 0, 1, 0]), [6]), { alpha: 0.2, classes: 2 }), /mixUp: label 2 of sample 2 is not a class index in \[0, 2\)/);
    assert.throws(() => mixUp(x, tensor([0, 1, 0.5, 0, 1, 0]), { alpha: 0.2, classes: 2 }), /mixUp: label 0\.5 of sample 2 is not a class index/);
    assert.throws(() => mixUp(x, tensor(labels.map((l) => [l, 0, 0])), { alpha: 0.2, classes: 2 }), /mixUp: targets \[6,3\] must be class labels \[6\] or one-hot \[6,2\]/);
  });
});
