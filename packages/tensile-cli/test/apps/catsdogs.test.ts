/** The cats-vs-dogs app's pieces: stratified split, balanced slices, scoring. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { argmaxRows, averageSoftmaxLogits, score, topProbability } from '../../src/apps/catsdogs/metrics.js';
import { balancedSlice, stratifiedSplit } from '../../src/apps/catsdogs/split.js';
import { exploreCatsDogs } from '../../src/apps/catsdogs/train.node.js';

describe('catsdogs split', () => {
  it('holds out the same share of every class, disjoint and complete, the same on every call', () => {
    const labels = [...new Array<number>(100).fill(0), ...new Array<number>(60).fill(1)];
    const split = stratifiedSplit(labels, 0.2);
    assert.equal(split.selection.filter((i) => labels[i] === 0).length, 20);
    assert.equal(split.selection.filter((i) => labels[i] === 1).length, 12);
    assert.deepEqual([...split.fit, ...split.selection].sort((a, b) => a - b), labels.map((_, i) => i));
    assert.deepEqual(stratifiedSplit(labels, 0.2), split);
    assert.notDeepEqual(stratifiedSplit(labels, 0.2, 1).selection, split.selection);
    assert.throws(() => stratifiedSplit(labels, 1), /fraction/);
  });

  it('a balanced slice takes the first items of each class', () => {
    const items = [0, 0, 0, 0, 1, 1, 1].map((label, i) => ({ label, i }));
    assert.deepEqual(balancedSlice(items, 4).map((x) => x.i), [0, 1, 4, 5]);
  });
});

describe('catsdogs metrics', () => {
  it('argmax, softmax probability, accuracy, confusion and the wrong items', () => {
    const logits = Float32Array.from([2, 0, 0, 1, 0, 0, 3, 1]);
    assert.deepEqual(argmaxRows(logits, 2), [0, 1, 0, 0]);
    assert.ok(Math.abs(topProbability(logits, 2, 0) - 1 / (1 + Math.exp(-2))) < 1e-6);
    assert.equal(topProbability(logits, 2, 2), 0.5);
    const scored = score([0, 1, 0, 0], [0, 1, 1, 0], 2);
    assert.equal(scored.accuracy, 0.75);
    assert.deepEqual(scored.confusion, [[2, 0], [1, 1]]);
    assert.deepEqual(scored.wrong, [2]);
  });

  it('an ensemble\'s logits are the log of its members\' mean softmax; one member passes through', () => {
    const a = Float32Array.from([2, 0, 0, 1, 5, 5]);
    const b = Float32Array.from([0, 2, 0, 3, 5, 5]);
    assert.equal(averageSoftmaxLogits([a], 2), a);
    const mean = averageSoftmaxLogits([a, b], 2);
    const softmax = (x: number[]): number[] => x.map((v) => Math.exp(v) / x.reduce((t, w) => t + Math.exp(w), 0));
    for (let row = 0; row < 3; row++) {
      const expected = softmax([a[2 * row]!, a[2 * row + 1]!]).map((p, c) => (p + softmax([b[2 * row]!, b[2 * row + 1]!])[c]!) / 2);
      for (let c = 0; c < 2; c++) assert.ok(Math.abs(Math.exp(mean[2 * row + c]!) - expected[c]!) < 1e-6, `row ${row} class ${c}`);
    }
    // Row 0: one member sure of cat, the other as sure of dog: a tie, the lower class wins.
    assert.deepEqual(argmaxRows(mean, 2), [0, 1, 0]);
    assert.ok(Math.abs(topProbability(mean, 2, 0) - 0.5) < 1e-6);
  });
});

describe('catsdogs settings', () => {
  it('refuses an ensemble size that is not a positive integer before reading any photo', async () => {
    const settings = { size: 16, gray: true, epochs: 1, seeds: 1, batchSize: 8, learningRate: 1e-3, selectionFraction: 0.2 };
    for (const ensemble of [0, 1.5]) {
      await assert.rejects(exploreCatsDogs({ ...settings, ensemble }), new RegExp(`catsdogs: ensemble must be a positive integer \\(networks per seed\\), got ${ensemble}`));
    }
  });
});
