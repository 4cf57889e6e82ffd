/** Known answers for the ops, on every backend (the reference backend is only as good as these). */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import * as t from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';
import { forEachBackend } from '../helpers/backends.js';

forEachBackend('elementwise', () => {
  it('broadcasts [2,3] with [3] and [2,1]', () => {
    const a = t.tensor([[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual(t.add(a, t.tensor([10, 20, 30])).toArray(), [[11, 22, 33], [14, 25, 36]]);
    assert.deepEqual(t.mul(a, t.tensor([[2], [3]])).toArray(), [[2, 4, 6], [12, 15, 18]]);
    assert.deepEqual(t.sub(1, a).toArray(), [[0, -1, -2], [-3, -4, -5]]);
  });
  it('promotes dtypes and divides ints to float', () => {
    const i = t.tensor([7, -7], undefined, { dtype: 'int32' });
    assert.equal(t.add(i, 1).dtype, 'int32');
    assert.equal(t.add(i, 0.5).dtype, 'float32');
    assert.deepEqual(t.div(i, 2).toArray(), [3.5, -3.5]);
    assert.deepEqual(t.floorDiv(i, 2).toArray(), [3, -4]);
    assert.deepEqual(t.mod(i, 3).toArray(), [1, 2]);
  });
  it('computes unary math', () => {
    const x = t.tensor([0.25, 1, 4]);
    assertClose(t.sqrt(x), [0.5, 1, 2]);
    assertClose(t.rsqrt(x), [2, 1, 0.5]);
    assertClose(t.log(x), [Math.log(0.25), 0, Math.log(4)]);
    assertClose(t.exp(t.tensor([0, 1])), [1, Math.E]);
    assertClose(t.erf(t.tensor([0, 0.5, -1, 3.5])), [0, 0.5204998778130465, -0.8427007929497149, 0.9999992569016276]);
    assertClose(t.sigmoid(t.tensor([-100, 0, 100])), [0, 0.5, 1]);
    assertClose(t.softplus(t.tensor([-50, 0, 50])), [Math.exp(-50), Math.LN2, 50]);
    assert.deepEqual(t.round(t.tensor([0.5, 1.5, 2.5, -0.5, -1.7])).toArray(), [0, 2, 2, -0, -2]);
  });
  it('compares, selects and handles NaN', () => {
    const a = t.tensor([1, NaN, 3]);
    assert.deepEqual(t.gt(a, 2).toArray(), [false, false, true]);
    assert.deepEqual(t.isNaN(a).toArray(), [false, true, false]);
    assert.deepEqual(t.where(t.tensor([true, false, true]), a, 0).toArray(), [1, 0, 3]);
    assert.ok(Number.isNaN(t.max(a).item()));
  });
  it('evaluates activations at known points', () => {
    const x = t.tensor([-2, 0, 3]);
    assertClose(t.relu6(t.tensor([-1, 3, 9])), [0, 3, 6]);
    assertClose(t.leakyRelu(x, 0.1), [-0.2, 0, 3]);
    assertClose(t.elu(x), [Math.expm1(-2), 0, 3]);
    assertClose(t.softsign(x), [-2 / 3, 0, 0.75]);
    assertClose(t.gelu(t.tensor([1])), [0.8413447460685429]);
    assertClose(t.hardSigmoid(x), [1 / 6, 0.5, 1]);
    assertClose(t.softmax(t.tensor([1, 2, 3])), [0.09003057, 0.24472847, 0.66524096]);
    assertClose(t.logSoftmax(t.tensor([1000, 1000])), [-Math.LN2, -Math.LN2]);
  });
});

forEachBackend('reductions', () => {
  const x = t.tensor([[1, 5, 3], [4, 2, 6]]);
  it('reduce over axes with keepDims', () => {
    assert.deepEqual(t.sum(x).toArray(), 21);
    assert.deepEqual(t.sum(x, 0).toArray(), [5, 7, 9]);
    assert.deepEqual(t.sum(x, -1, true).toArray(), [[9], [12]]);
    assert.deepEqual(t.max(x, 1).toArray(), [5, 6]);
    assert.deepEqual(t.min(x, 0).toArray(), [1, 2, 3]);
    assert.deepEqual(t.prod(x, 1).toArray(), [15, 48]);
    assert.deepEqual(t.argmax(x, 1).toArray(), [1, 2]);
    assert.deepEqual(t.argmin(x).toArray(), 0);
    assertClose(t.mean(x, [0, 1]), [3.5]);
    assertClose(t.variance(x, 1), [8 / 3, 8 / 3]);
    assertClose(t.std(x, 1, { correction: 1 }), [2, 2]);
    assertClose(t.logSumExp(t.tensor([0, Math.log(3)])), [Math.log(4)]);
  });
  it('reduces non-adjacent axes of a rank-3 tensor', () => {
    const y = t.reshape(t.arange(24), [2, 3, 4]);
    assert.deepEqual(t.sum(y, [0, 2]).toArray(), [60, 92, 124]);
    assert.deepEqual(t.all(t.ge(y, 0)).toArray(), true);
  });
  it('cumsum and norm', () => {
    assert.deepEqual(t.cumsum(t.tensor([1, 2, 3, 4, 5])).toArray(), [1, 3, 6, 10, 15]);
    assertClose(t.norm(t.tensor([3, 4])), [5]);
  });
});

forEachBackend('shape ops', () => {
  const x = t.reshape(t.arange(12), [3, 4]);
  it('slices with negative indices and steps', () => {
    assert.deepEqual(t.slice(x, [[1], [null, null, -2]]).toArray(), [[7, 5], [11, 9]]);
    assert.deepEqual(t.slice(x, [-1]).toArray(), [8, 9, 10, 11]);
    assert.deepEqual((t.flip(x, 0).toArray() as number[][])[0], [8, 9, 10, 11]);
  });
  it('permutes, concatenates, stacks, splits and tiles', () => {
    assert.deepEqual(t.transpose(x).shape, [4, 3]);
    assert.deepEqual((t.transpose(x).toArray() as number[][])[1], [1, 5, 9]);
    assert.deepEqual(t.concat([x, x], 1).shape, [3, 8]);
    assert.deepEqual(t.stack([x, x], 2).shape, [3, 4, 2]);
    assert.deepEqual(t.split(x, [1, 3], 1).map((p) => p.shape), [[3, 1], [3, 3]]);
    assert.deepEqual(t.chunk(t.arange(5), 2).map((p) => p.toArray()), [[0, 1, 2], [3, 4]]);
    assert.deepEqual(t.tile(t.tensor([1, 2]), [2, 2]).toArray(), [[1, 2, 1, 2], [1, 2, 1, 2]]);
    assert.deepEqual(t.roll(t.arange(4), 1).toArray(), [3, 0, 1, 2]);
  });
  it('pads with constant, reflect and replicate modes', () => {
    const v = t.tensor([1, 2, 3]);
    assert.deepEqual(t.pad(v, [[1, 2]], { value: 9 }).toArray(), [9, 1, 2, 3, 9, 9]);
    assert.deepEqual(t.pad(v, [[2, 2]], { mode: 'reflect' }).toArray(), [3, 2, 1, 2, 3, 2, 1]);
    assert.deepEqual(t.pad(v, [[2, 1]], { mode: 'replicate' }).toArray(), [1, 1, 1, 2, 3, 3]);
  });
  it('gathers, scatters and takes along an axis', () => {
    const idx = t.tensor([2, 0], undefined, { dtype: 'int32' });
    assert.deepEqual(t.gather(x, idx, 0).toArray(), [[8, 9, 10, 11], [0, 1, 2, 3]]);
    assert.deepEqual(t.gather(x, t.tensor([-1], undefined, { dtype: 'int32' }), 1).toArray(), [[3], [7], [11]]);
    assert.deepEqual(t.scatterAdd(t.zeros([3]), t.tensor([0, 0, 2], undefined, { dtype: 'int32' }), t.tensor([1, 2, 3])).toArray(), [3, 0, 3]);
    const along = t.takeAlongAxis(x, t.tensor([[3], [0], [1]], undefined, { dtype: 'int32' }), 1);
    assert.deepEqual(along.toArray(), [[3], [4], [9]]);
    assert.deepEqual(t.oneHot(t.tensor([1, 0], undefined, { dtype: 'int32' }), 3).toArray(), [[0, 1, 0], [1, 0, 0]]);
  });
  it('topk sorts and returns indices', () => {
    const r = t.topk(t.tensor([[1, 9, 3, 7]]), 2);
    assert.deepEqual(r.values.toArray(), [[9, 7]]);
    assert.deepEqual(r.indices.toArray(), [[1, 3]]);
    assert.deepEqual(t.topk(t.tensor([4, 1, 3]), 1, { largest: false }).values.toArray(), [1]);
  });
  it('reshape infers -1 and shares storage', () => {
    const r = t.reshape(x, [2, -1]);
    assert.deepEqual(r.shape, [2, 6]);
    assert.equal(r.storage, x.storage);
    assert.deepEqual(t.squeeze(t.zeros([1, 3, 1])).shape, [3]);
    assert.deepEqual(t.flatten(t.zeros([2, 3, 4]), 1).shape, [2, 12]);
  });
});

/** Direct 6-loop convolution, the independent oracle for conv2d. */
function naiveConv(x: number[][][][], w: number[][][][], stride: number, pad: number): number[][][][] {
  const [n, h, wd, c] = [x.length, x[0]!.length, x[0]![0]!.length, x[0]![0]![0]!.length];
  const [kh, kw, , o] = [w.length, w[0]!.length, c, w[0]![0]![0]!.length];
  const oh = Math.floor((h + 2 * pad - kh) / stride) + 1;
  const ow = Math.floor((wd + 2 * pad - kw) / stride) + 1;
  const out: number[][][][] = [];
  for (let b = 0; b < n; b++) {
    out.push([]);
    for (let i = 0; i < oh; i++) {
      out[b]!.push([]);
      for (let j = 0; j < ow; j++) {
        const cell = new Array<number>(o).fill(0);
        for (let p = 0; p < kh; p++) for (let q = 0; q < kw; q++) {
          const yi = i * stride - pad + p;
          const xj = j * stride - pad + q;
          if (yi < 0 || yi >= h || xj < 0 || xj >= wd) continue;
          for (let ci = 0; ci < c; ci++) for (let co = 0; co < o; co++) cell[co]! += x[b]![yi]![xj]![ci]! * w[p]![q]![ci]![co]!;
        }
        out[b]![i]!.push(cell);
      }
    }
  }
  return out;
}

forEachBackend('linear algebra and convolution', () => {
  it('matmul: 2-D, 1-D, batched and broadcast', () => {
    const a = t.tensor([[1, 2], [3, 4]]);
    const b = t.tensor([[5, 6], [7, 8]]);
    assert.deepEqual(t.matmul(a, b).toArray(), [[19, 22], [43, 50]]);
    assert.deepEqual(t.matmul(a, t.tensor([1, 1])).toArray(), [3, 7]);
    assert.deepEqual(t.matmul(t.tensor([1, 1]), a).toArray(), [4, 6]);
    assert.deepEqual(t.matmul(t.stack([a, b]), a).toArray(), [[[7, 10], [15, 22]], [[23, 34], [31, 46]]]);
    assert.deepEqual(t.linear(t.tensor([[1, 2]]), b, t.tensor([1, 1])).toArray(), [[18, 24]]);
  });
  it('conv2d matches a direct convolution (stride 2, padding 1)', () => {
    const g = new t.Generator(9);
    const x = t.rand([2, 6, 5, 3], { generator: g });
    const w = t.rand([3, 3, 3, 4], { generator: g });
    const expected = naiveConv(x.toArray() as number[][][][], w.toArray() as number[][][][], 2, 1);
    assertClose(t.conv2d(x, w, { strides: 2, padding: 1 }), t.tensor(expected), { rtol: 1e-4 });
  });
  it('fused products add a residual before the activation, bit for bit as the separate adds, and refuse a wrong one', () => {
    const g = new t.Generator(10);
    const x = t.sub(t.rand([1, 7, 6, 8], { generator: g }), 0.5);
    const w = t.sub(t.rand([1, 1, 8, 12], { generator: g }), 0.5);
    const bias = t.sub(t.rand([12], { generator: g }), 0.5);
    const residual = t.sub(t.rand([1, 7, 6, 12], { generator: g }), 0.5);
    const separate = t.relu(t.add(residual, t.fusedConv2d(x, w, { bias })));
    assert.deepEqual(t.fusedConv2d(x, w, { bias, residual, activation: 'relu' }).dataSync(), separate.dataSync());
    const a = t.reshape(x, [42, 8]);
    const b = t.reshape(w, [8, 12]);
    const rows = t.reshape(residual, [42, 12]);
    assert.deepEqual(t.fusedMatmul(a, b, { residual: rows }).dataSync(), t.add(t.matmul(a, b), rows).dataSync());
    assert.throws(() => t.fusedConv2d(x, w, { residual: t.zeros([1, 7, 6, 8]) }), /fusedConv2d: residual must have the output's shape \[1, ?7, ?6, ?12\], got \[1, ?7, ?6, ?8\]/);
    assert.throws(() => t.fusedMatmul(a, b, { residual: t.zeros([42, 12], { dtype: 'int32' }) }), /fusedMatmul: residual is int32 but the output is float32/);
  });
  it("'same' padding keeps ceil(size/stride)", () => {
    assert.deepEqual(t.conv2d(t.zeros([1, 7, 8, 1]), t.zeros([3, 3, 1, 2]), { strides: 2, padding: 'same' }).shape, [1, 4, 4, 2]);
    assert.deepEqual(t.conv2dTranspose(t.zeros([1, 4, 4, 2]), t.zeros([3, 3, 5, 2]), { strides: 2, padding: 'same' }).shape, [1, 8, 8, 5]);
  });
  it('pools', () => {
    const x = t.reshape(t.arange(16, undefined, 1, { dtype: 'float32' }), [1, 4, 4, 1]);
    assert.deepEqual(t.maxPool2d(x).toArray(), [[[[5], [7]], [[13], [15]]]]);
    assert.deepEqual(t.avgPool2d(x).toArray(), [[[[2.5], [4.5]], [[10.5], [12.5]]]]);
    // Padded cells are not counted: the corner window averages 0,1,4,5, an inner one nine cells.
    const same = t.avgPool2d(x, { poolSize: 3, strides: 1, padding: 'same' }).dataSync();
    assert.deepEqual([same[0], same[5]], [2.5, 5]);
    assert.deepEqual(t.globalAvgPool2d(x).toArray(), [[7.5]]);
  });
  it('losses at known values', () => {
    const logits = t.tensor([[2, 0, 0], [0, 0, 0]]);
    const labels = t.tensor([0, 2], undefined, { dtype: 'int32' });
    const lse = Math.log(Math.exp(2) + 2);
    assertClose(t.softmaxCrossEntropy(logits, labels), [((lse - 2) + Math.log(3)) / 2]);
    assertClose(t.softmaxCrossEntropy(logits, t.oneHot(labels, 3)), [((lse - 2) + Math.log(3)) / 2]);
    assertClose(t.binaryCrossEntropyWithLogits(t.tensor([0]), t.tensor([1])), [Math.LN2]);
    assertClose(t.meanSquaredError(t.tensor([1, 2]), t.tensor([0, 0])), [2.5]);
    assertClose(t.huberLoss(t.tensor([0, 3]), t.tensor([0, 0])), [1.25]);
  });
  it('l2Normalize and the additive-margin (CosFace) loss at known values', () => {
    assertClose(t.l2Normalize(t.tensor([[3, 4], [0, 0]])), [0.6, 0.8, 0, 0]);
    assertClose(t.l2Normalize(t.tensor([[3, 1], [4, 0]]), { axis: 0 }), [0.6, 1, 0.8, 0]);
    // Row 0: logits 2·(0.5 − 0.25), 2·0.1; row 1 (label 0): 2·(−0.2 − 0.25), 2·0.3.
    const cosines = t.tensor([[0.5, 0.1], [-0.2, 0.3]]);
    const labels = t.tensor([0, 0], undefined, { dtype: 'int32' });
    const ce = (own: number, other: number): number => Math.log(Math.exp(own) + Math.exp(other)) - own;
    assertClose(t.additiveMarginSoftmaxLoss(cosines, labels, { scale: 2, margin: 0.25, reduction: 'none' }), [ce(0.5, 0.2), ce(-0.9, 0.6)]);
    assert.throws(() => t.additiveMarginSoftmaxLoss(cosines, t.tensor([0, 1, 1], undefined, { dtype: 'int32' })), /additiveMarginSoftmaxLoss: labels \[3\] must be \[2\]/);
    assert.throws(() => t.additiveMarginSoftmaxLoss(cosines, labels, { scale: 0 }), /scale must be positive/);
  });
});
