/** Creation, read-back, printing, seeding and the errors users see at op boundaries. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as t from '../../src/index.js';
import { forEachBackend } from '../helpers/backends.js';
import '../helpers/single-thread-wasm.js';

forEachBackend('creation and read-back', () => {
  it('builds from nested arrays, typed arrays and constants', async () => {
    const a = t.tensor([[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual([a.shape, a.dtype, a.size, a.rank], [[2, 3], 'float32', 6, 2]);
    assert.deepEqual(t.tensor(new Int32Array([1, 2, 3, 4]), [2, 2]).toArray(), [[1, 2], [3, 4]]);
    assert.equal(t.tensor([true, false]).dtype, 'bool');
    assert.deepEqual(t.full([2], 7, { dtype: 'int32' }).toArray(), [7, 7]);
    assert.deepEqual(t.eye(2).toArray(), [[1, 0], [0, 1]]);
    assert.deepEqual(t.arange(1, 7, 2).toArray(), [1, 3, 5]);
    assert.deepEqual(t.linspace(0, 1, 3).toArray(), [0, 0.5, 1]);
    assert.deepEqual([...(await a.data())], [1, 2, 3, 4, 5, 6]);
    assert.equal(t.scalar(3).item(), 3);
    assert.deepEqual(t.zerosLike(a).shape, [2, 3]);
  });
  it('random draws are reproducible with manualSeed and sensible in distribution', () => {
    t.manualSeed(42);
    const a = t.randn([10_000]);
    t.manualSeed(42);
    const b = t.randn([10_000]);
    assert.deepEqual(a.dataSync(), b.dataSync());
    assert.ok(Math.abs(t.mean(a).item()) < 0.05);
    assert.ok(Math.abs(t.std(a).item() - 1) < 0.05);
    const u = t.rand([10_000], { low: 2, high: 3 });
    assert.ok(t.min(u).item() >= 2 && t.max(u).item() < 3);
    const r = t.randint(0, 5, [1000]);
    assert.equal(r.dtype, 'int32');
    assert.deepEqual([t.min(r).item(), t.max(r).item()], [0, 4]);
    assert.deepEqual([...t.randperm(5).dataSync()].sort(), [0, 1, 2, 3, 4]);
    assert.ok(t.max(t.abs(t.truncatedNormal([1000]))).item() <= 2);
  });
  it('gamma and beta draws have their distributions\' mean and variance, and bad shapes are rejected', () => {
    const moments = (draw: () => number): [number, number] => {
      const values = Array.from({ length: 40_000 }, draw);
      const m = values.reduce((s, v) => s + v, 0) / values.length;
      return [m, values.reduce((s, v) => s + (v - m) ** 2, 0) / values.length];
    };
    const generator = new t.Generator(7);
    // Gamma(k, 1): mean k, variance k — both branches (k < 1 is boosted through k + 1).
    for (const k of [0.3, 1, 4.5]) {
      const [m, v] = moments(() => generator.gamma(k));
      assert.ok(Math.abs(m - k) < 0.04 * Math.max(k, 1) && Math.abs(v - k) < 0.08 * Math.max(k, 1), `gamma(${k}): mean ${m}, variance ${v}`);
    }
    // Beta(a, b): mean a / (a + b), variance ab / ((a + b)²(a + b + 1)).
    for (const [a, b] of [[0.2, 0.2], [2, 5]] as const) {
      const [m, v] = moments(() => generator.beta(a, b));
      const mean = a / (a + b);
      const variance = (a * b) / ((a + b) ** 2 * (a + b + 1));
      assert.ok(Math.abs(m - mean) < 0.01 && Math.abs(v - variance) < 0.05 * variance, `beta(${a}, ${b}): mean ${m}, variance ${v}`);
    }
    assert.equal(new t.Generator(3).beta(0.4, 0.4), new t.Generator(3).beta(0.4, 0.4));
    // Shapes so small that both gamma draws underflow to 0 in linear space still give a Beta draw,
    // at 0 or 1 about half the time each.
    const tiny = Array.from({ length: 1000 }, () => generator.beta(0.001, 0.001));
    assert.ok(tiny.every((x) => x >= 0 && x <= 1), 'no NaN');
    assert.ok(Math.abs(tiny.filter((x) => x > 0.5).length - 500) < 80);
    for (const bad of [0, -1, Number.NaN, Infinity]) assert.throws(() => generator.gamma(bad), /Generator\.gamma: shape must be a positive finite number/);
  });
  it('prints like PyTorch and elides large tensors', () => {
    assert.equal(t.tensor([[1, 2], [3, 4]]).toString(), 'tensor([[1.0000, 2.0000],\n        [3.0000, 4.0000]])');
    assert.equal(t.tensor([1, 2], undefined, { dtype: 'int32' }).toString(), 'tensor([1, 2], dtype=int32)');
    const big = t.arange(5000).toString();
    assert.equal(big, 'tensor([   0,    1,    2, ..., 4997, 4998, 4999], dtype=int32)');
    assert.match(t.tensor([1]).requiresGrad_().mul(2).toString(), /gradFn=mul/);
  });
});

describe('errors name the op and what is wrong', () => {
  it('shape mismatches', () => {
    assert.throws(() => t.matmul(t.zeros([2, 3]), t.zeros([4, 5])), { name: 'ShapeError', message: 'matmul: inner dimensions differ: [2,3] × [4,5]' });
    assert.throws(() => t.add(t.zeros([2, 3]), t.zeros([4])), { name: 'ShapeError', message: 'add: shapes [2,3] and [4] cannot be broadcast' });
    assert.throws(() => t.reshape(t.zeros([6]), [4, -1]), /reshape: cannot reshape \[6\] \(6 elements\) into \[4,-1\]/);
    assert.throws(() => t.conv2d(t.zeros([1, 5, 5, 3]), t.zeros([3, 3, 2, 4])), /conv2d: filter \[3,3,2,4\] expects 2 input channels per group, input \[1,5,5,3\] has 3/);
    assert.throws(() => t.concat([t.zeros([2, 2]), t.zeros([3, 3])], 0), /concat: tensors\[1\] \[3,3\] does not match/);
  });
  it('bad arguments are rejected before any kernel runs', () => {
    assert.throws(() => t.zeros([2, Number.NaN]), { name: 'ShapeError', message: 'zeros: invalid dimension NaN in shape [2,NaN]' });
    assert.throws(() => t.full([-1], 0), /full: invalid dimension -1/);
    assert.throws(() => t.sum(t.zeros([2, 2]), 2), { name: 'ShapeError', message: 'sum: axis 2 is out of range for a tensor of rank 2' });
    assert.throws(() => t.gather(t.zeros([3]), t.tensor([3], undefined, { dtype: 'int32' })), /gather: index 3 is out of range for axis 0 of \[3\] of size 3/);
    assert.throws(() => t.tensor([[1, 2], [3]]), /tensor: ragged nested array at \[1\]: expected 2 elements, got 1/);
    assert.throws(() => t.tensor([1, 2, 3], [2, 2]), /tensor: 3 values do not fill shape \[2,2\]/);
    assert.throws(() => t.dropout(t.zeros([2]), 1), /dropout: rate must be in \[0, 1\)/);
    assert.throws(() => t.sqrt(t.tensor([4], undefined, { dtype: 'int32' })), { name: 'DTypeError', message: 'sqrt: expected a float32 or float64 tensor, got int32' });
    assert.throws(() => t.setBackend('nope'), { name: 'BackendError' });
  });
  it('tensors on different backends are rejected', () => {
    const others = t.backendNames().filter((b) => b !== 'reference');
    if (others.length === 0) return;
    const a = t.zeros([2], { backend: 'reference' });
    const b = t.zeros([2], { backend: others[0] });
    assert.throws(() => t.add(a, b), /add: tensors are on different backends/);
    assert.deepEqual(t.add(a.to(others[0]!), b).toArray(), [0, 0]);
  });
});
