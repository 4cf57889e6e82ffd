/**
 * One entry per differentiable op: how to make its inputs and how to call it. The gradient checker
 * differentiates every floating-point input. Inputs are drawn away from kinks (|x| ≥ 0.2 where an op
 * has one at 0) so central differences are meaningful.
 */
import * as t from '../../src/index.js';
import type { Tensor } from '../../src/index.js';

export interface Maker {
  /** Uniform in [lo, hi). */
  uniform(shape: number[], lo?: number, hi?: number): Tensor;
  /** |x| in [0.2, 1) with random signs (away from 0). */
  away(shape: number[]): Tensor;
  /** Positive, in [0.5, 2). */
  positive(shape: number[]): Tensor;
  /** Fixed int32 values. */
  ints(values: number[], shape?: number[]): Tensor;
}

export interface OpSpec {
  inputs(m: Maker): Tensor[];
  fn(...xs: Tensor[]): Tensor;
  /** Finite-difference step and tolerances where the defaults (1e-6, 1e-5, 1e-6) do not fit. */
  tolerance?: { eps: number; rtol: number; atol: number };
}

const unary = (fn: (x: Tensor) => Tensor, domain: 'any' | 'away' | 'positive' = 'any'): OpSpec => ({
  inputs: (m) => [domain === 'positive' ? m.positive([2, 3]) : domain === 'away' ? m.away([2, 3]) : m.uniform([2, 3], -2, 2)],
  fn,
});
const binary = (fn: (a: Tensor, b: Tensor) => Tensor, bDomain: 'any' | 'positive' = 'any'): OpSpec => ({
  // Broadcasting [2,3] with [3] checks the reduction of gradients back to each shape.
  inputs: (m) => [m.uniform([2, 3], -2, 2), bDomain === 'positive' ? m.positive([3]) : m.uniform([3], -2, 2)],
  fn,
});
const loss = (fn: (p: Tensor, y: Tensor) => Tensor, target: (m: Maker) => Tensor, prediction?: (m: Maker) => Tensor): OpSpec => ({
  inputs: (m) => [prediction ? prediction(m) : m.uniform([4, 3], -2, 2), target(m)],
  fn,
});
const image = (m: Maker, c = 2): Tensor => m.uniform([2, 5, 5, c], -1, 1);

export const OP_SPECS: Record<string, OpSpec> = {
  // unary math
  // float64 → float32 → float64 where float64 exists (the round trip loses precision, hence the larger
  // step); backends without float64 check the float32 identity cast.
  cast: {
    ...unary((x) => (x.dtype === 'float64' ? t.cast(x, 'float32').cast('float64') : t.cast(x, 'float32'))),
    tolerance: { eps: 1e-2, rtol: 1e-4, atol: 1e-5 },
  },
  neg: unary(t.neg),
  abs: unary(t.abs, 'away'),
  square: unary(t.square),
  sqrt: unary(t.sqrt, 'positive'),
  rsqrt: unary(t.rsqrt, 'positive'),
  exp: unary(t.exp),
  log: unary(t.log, 'positive'),
  log1p: unary(t.log1p, 'positive'),
  expm1: unary(t.expm1),
  reciprocal: unary(t.reciprocal, 'away'),
  sin: unary(t.sin),
  cos: unary(t.cos),
  tan: unary(t.tan),
  erf: unary(t.erf),
  tanh: unary(t.tanh),
  sigmoid: unary(t.sigmoid),
  softplus: unary(t.softplus),
  relu: unary(t.relu, 'away'),
  log2: unary(t.log2, 'positive'),
  log10: unary(t.log10, 'positive'),
  // activations
  relu6: { inputs: (m) => [m.uniform([2, 4], -2, 8)], fn: t.relu6 },
  leakyRelu: unary((x) => t.leakyRelu(x, 0.1), 'away'),
  elu: unary((x) => t.elu(x), 'away'),
  selu: unary(t.selu, 'away'),
  celu: unary((x) => t.celu(x, 0.7), 'away'),
  softsign: unary(t.softsign, 'away'),
  gelu: unary((x) => t.add(t.gelu(x), t.gelu(x, { approximate: 'tanh' }))),
  silu: unary(t.silu),
  hardSigmoid: { inputs: (m) => [m.uniform([2, 4], -2.9, 2.9)], fn: t.hardSigmoid },
  hardSwish: { inputs: (m) => [m.uniform([2, 4], -2.9, 2.9)], fn: t.hardSwish },
  hardTanh: { inputs: (m) => [m.uniform([2, 4], -0.9, 0.9)], fn: (x) => t.hardTanh(x) },
  mish: unary(t.mish),
  logSigmoid: unary(t.logSigmoid),
  prelu: { inputs: (m) => [m.away([2, 3]), m.uniform([3], 0, 0.5)], fn: t.prelu },
  softmax: { inputs: (m) => [m.uniform([2, 4], -2, 2)], fn: (x) => t.softmax(x, 0) },
  logSoftmax: { inputs: (m) => [m.uniform([2, 4], -2, 2)], fn: (x) => t.logSoftmax(x) },
  // arithmetic
  add: binary(t.add),
  sub: binary(t.sub),
  mul: binary(t.mul),
  div: binary(t.div, 'positive'),
  pow: { inputs: (m) => [m.positive([2, 3]), m.uniform([3], -2, 2)], fn: t.pow },
  maximum: binary(t.maximum),
  minimum: binary(t.minimum),
  mod: { inputs: (m) => [m.uniform([2, 3], 0.1, 0.9), m.uniform([3], 1.1, 1.9)], fn: t.mod },
  clamp: unary((x) => t.clamp(x, -0.5, 0.5)),
  where: { inputs: (m) => [m.uniform([2, 3], -1, 1), m.uniform([3], -1, 1)], fn: (a, b) => t.where(t.gt(a, 0), a, b) },
  // reductions
  sum: unary((x) => t.sum(x, 1, true)),
  mean: unary((x) => t.mean(x, 0)),
  max: unary((x) => t.max(x, 1)),
  min: unary((x) => t.min(x)),
  prod: unary((x) => t.prod(x, 1), 'away'),
  variance: unary((x) => t.variance(x, 1, { correction: 1 })),
  std: unary((x) => t.std(x, [0, 1])),
  logSumExp: unary((x) => t.logSumExp(x, 1)),
  norm: unary((x) => t.add(t.norm(x, 2, 1), t.norm(x, 3)), 'away'),
  cumsum: { inputs: (m) => [m.uniform([5, 2], -1, 1)], fn: (x) => t.cumsum(x, 0) },
  // shape
  reshape: unary((x) => t.reshape(x, [3, -1])),
  flatten: { inputs: (m) => [m.uniform([2, 2, 3])], fn: (x) => t.flatten(x, 1) },
  squeeze: { inputs: (m) => [m.uniform([2, 1, 3])], fn: (x) => t.squeeze(x) },
  unsqueeze: unary((x) => t.unsqueeze(x, -1)),
  broadcastTo: { inputs: (m) => [m.uniform([2, 1])], fn: (x) => t.broadcastTo(x, [3, 2, 4]) },
  tile: unary((x) => t.tile(x, [2, 2])),
  permute: { inputs: (m) => [m.uniform([2, 3, 4])], fn: (x) => t.permute(x, [2, 0, 1]) },
  transpose: unary((x) => t.transpose(x)),
  slice: { inputs: (m) => [m.uniform([4, 5])], fn: (x) => t.slice(x, [[-3, null, 2], [4, 0, -2]]) },
  flip: unary((x) => t.flip(x, [0, 1])),
  narrow: unary((x) => t.narrow(x, 1, 1, 2)),
  split: { inputs: (m) => [m.uniform([5, 2])], fn: (x) => { const [a, b] = t.split(x, [2, 3]); return t.add(t.sum(a!), t.mul(t.sum(b!), 2)); } },
  chunk: { inputs: (m) => [m.uniform([5, 2])], fn: (x) => t.mul(t.chunk(x, 2)[1]!, 3) },
  pad: unary((x) => t.add(t.add(t.pad(x, [[1, 1], [2, 2]], { value: 2 }), t.pad(x, [[1, 1], [2, 2]], { mode: 'reflect' })), t.pad(x, [[2, 0], [1, 3]], { mode: 'replicate' }))),
  concat: { inputs: (m) => [m.uniform([2, 3]), m.uniform([2, 1])], fn: (a, b) => t.concat([a, b, a], 1) },
  stack: binary((a, b) => t.stack([a, t.broadcastTo(b, [2, 3])], 1)),
  roll: unary((x) => t.roll(x, -1, 1)),
  gather: { inputs: (m) => [m.uniform([4, 3]), m.ints([3, 0, 3, -1], [2, 2])], fn: (x, i) => t.gather(x, i, 0) },
  indexSelect: { inputs: (m) => [m.uniform([2, 4]), m.ints([1, 1, 2])], fn: (x, i) => t.indexSelect(x, 1, i) },
  scatterAdd: {
    inputs: (m) => [m.uniform([4, 2]), m.ints([1, 3, 1]), m.uniform([3, 2])],
    fn: (base, i, src) => t.scatterAdd(base, i, src, 0),
  },
  takeAlongAxis: { inputs: (m) => [m.uniform([3, 4]), m.ints([0, 3, 1, 1, 2, 2], [3, 2])], fn: (x, i) => t.takeAlongAxis(x, i, 1) },
  topk: { inputs: (m) => [m.uniform([3, 5])], fn: (x) => t.topk(x, 2).values },
  // linear algebra
  matmul: { inputs: (m) => [m.uniform([2, 1, 2, 3]), m.uniform([3, 3, 4])], fn: t.matmul },
  dot: { inputs: (m) => [m.uniform([4]), m.uniform([4])], fn: t.dot },
  outer: { inputs: (m) => [m.uniform([3]), m.uniform([2])], fn: t.outer },
  linear: { inputs: (m) => [m.uniform([2, 3]), m.uniform([4, 3]), m.uniform([4])], fn: t.linear },
  fusedMatmul: {
    inputs: (m) => [m.uniform([2, 3, 4]), m.uniform([4, 5]), m.uniform([5])],
    fn: (a, b, bias) => t.fusedMatmul(a, b, { bias, activation: 'relu' }),
  },
  'fusedMatmul (1-D a, transposed b, tanh)': {
    inputs: (m) => [m.uniform([4]), m.uniform([5, 4]), m.uniform([5])],
    fn: (a, b, bias) => t.fusedMatmul(a, b, { bias, activation: 'tanh', transposeB: true }),
  },
  'fusedMatmul (residual, ReLU)': {
    inputs: (m) => [m.uniform([2, 3, 4]), m.uniform([4, 5]), m.uniform([5]), m.uniform([2, 3, 5])],
    fn: (a, b, bias, residual) => t.fusedMatmul(a, b, { bias, residual, activation: 'relu' }),
  },
  'fusedMatmul (1-D a, residual, no bias)': {
    inputs: (m) => [m.uniform([4]), m.uniform([4, 5]), m.uniform([5])],
    fn: (a, b, residual) => t.fusedMatmul(a, b, { residual }),
  },
  // convolution and pooling
  conv2d: {
    inputs: (m) => [image(m, 4), m.uniform([3, 2, 2, 6], -1, 1)],
    fn: (x, w) => t.conv2d(x, w, { strides: [2, 1], padding: 'same', dilation: [1, 2], groups: 2 }),
  },
  fusedConv2d: {
    inputs: (m) => [image(m, 4), m.uniform([3, 2, 2, 6], -1, 1), m.uniform([6], -0.5, 0.5)],
    fn: (x, w, bias) => t.fusedConv2d(x, w, { strides: [2, 1], padding: 'same', groups: 2, bias, activation: 'relu' }),
  },
  'fusedConv2d (1 input channel, ReLU, no bias)': {
    inputs: (m) => [image(m, 1), m.uniform([3, 3, 1, 4], -1, 1)],
    fn: (x, w) => t.fusedConv2d(x, w, { padding: 'same', activation: 'relu' }),
  },
  'fusedConv2d (1x1, residual, ReLU)': {
    inputs: (m) => [image(m, 4), m.uniform([1, 1, 4, 6], -1, 1), m.uniform([6], -0.5, 0.5), m.uniform([2, 5, 5, 6], -1, 1)],
    fn: (x, w, bias, residual) => t.fusedConv2d(x, w, { bias, residual, activation: 'relu' }),
  },
  'fusedConv2d (depthwise groups, residual, sigmoid)': {
    inputs: (m) => [image(m, 4), m.uniform([3, 3, 1, 4], -1, 1), m.uniform([2, 5, 5, 4], -1, 1)],
    fn: (x, w, residual) => t.fusedConv2d(x, w, { padding: 'same', groups: 4, residual, activation: 'sigmoid' }),
  },
  conv1d: { inputs: (m) => [m.uniform([2, 7, 2]), m.uniform([3, 2, 3])], fn: (x, w) => t.conv1d(x, w, { stride: 2, padding: 'same' }) },
  depthwiseConv2d: { inputs: (m) => [image(m), m.uniform([2, 2, 2, 2])], fn: (x, w) => t.depthwiseConv2d(x, w, { padding: 1 }) },
  separableConv2d: {
    inputs: (m) => [image(m), m.uniform([3, 3, 2, 1]), m.uniform([1, 1, 2, 3])],
    fn: (x, d, p) => t.separableConv2d(x, d, p),
  },
  conv2dTranspose: { inputs: (m) => [m.uniform([1, 3, 3, 2]), m.uniform([3, 3, 4, 2])], fn: (x, w) => t.conv2dTranspose(x, w, { strides: 2, padding: 'same' }) },
  maxPool2d: { inputs: (m) => [image(m)], fn: (x) => t.maxPool2d(x, { poolSize: 3, strides: 2, padding: 'same' }) },
  avgPool2d: { inputs: (m) => [image(m)], fn: (x) => t.avgPool2d(x, { poolSize: 2, strides: 2, padding: 'same' }) },
  maxPool1d: { inputs: (m) => [m.uniform([2, 6, 2])], fn: (x) => t.maxPool1d(x) },
  avgPool1d: { inputs: (m) => [m.uniform([2, 6, 2])], fn: (x) => t.avgPool1d(x, { poolSize: 3, strides: 1 }) },
  globalAvgPool2d: { inputs: (m) => [image(m)], fn: (x) => t.globalAvgPool2d(x) },
  globalMaxPool2d: { inputs: (m) => [image(m)], fn: (x) => t.globalMaxPool2d(x, true) },
  // normalisation and regularisation
  batchNorm: {
    inputs: (m) => [m.uniform([4, 3]), m.uniform([3]), m.positive([3]), m.uniform([3]), m.uniform([3])],
    fn: (x, mu, v, offset, scale) => t.batchNorm(x, mu, v, { offset, scale }),
  },
  l2Normalize: {
    inputs: (m) => [m.uniform([3, 4], -2, 2)],
    fn: (x) => t.add(t.l2Normalize(x), t.l2Normalize(x, { axis: 0 })),
  },
  layerNorm: { inputs: (m) => [m.uniform([2, 4]), m.uniform([4]), m.uniform([4])], fn: (x, gamma, beta) => t.layerNorm(x, { gamma, beta }) },
  dropout: unary((x) => t.dropout(x, 0.5, { generator: new t.Generator(7) })),
  // losses
  softmaxCrossEntropy: loss((p, y) => t.softmaxCrossEntropy(p, y), (m) => m.ints([0, 2, 1, 2])),
  nllLoss: loss((p, y) => t.nllLoss(t.logSoftmax(p), y, { reduction: 'sum' }), (m) => m.ints([1, 2, 1, 0])),
  binaryCrossEntropyWithLogits: loss((p, y) => t.add(t.binaryCrossEntropyWithLogits(p, y), t.binaryCrossEntropyWithLogits(p, y, { posWeight: 2 })), (m) => m.uniform([4, 3], 0, 1)),
  binaryCrossEntropy: loss(t.binaryCrossEntropy, (m) => m.uniform([4, 3], 0, 1), (m) => m.uniform([4, 3], 0.1, 0.9)),
  meanSquaredError: loss(t.meanSquaredError, (m) => m.uniform([4, 3])),
  meanAbsoluteError: loss(t.meanAbsoluteError, (m) => m.uniform([4, 3], 3, 4)),
  huberLoss: loss((p, y) => t.huberLoss(p, y, { delta: 0.5 }), (m) => m.uniform([4, 3], -0.2, 0.2)),
  klDivergence: loss(t.klDivergence, (m) => m.uniform([4, 3], 0.1, 1), (m) => m.uniform([4, 3], 0.1, 1)),
  hingeLoss: loss(t.hingeLoss, (m) => m.uniform([4, 3], 0.5, 1), (m) => m.uniform([4, 3], -0.5, 0.5)),
  cosineSimilarity: loss(t.cosineSimilarity, (m) => m.uniform([4, 3])),
  cosineEmbeddingLoss: loss(t.cosineEmbeddingLoss, (m) => m.uniform([4, 3])),
  additiveMarginSoftmaxLoss: loss((p, y) => t.additiveMarginSoftmaxLoss(p, y, { scale: 4, margin: 0.3 }), (m) => m.ints([0, 2, 1, 2]), (m) => m.uniform([4, 3], -1, 1)),
  // copies
  clone: unary(t.clone),
  toBackend: unary((x) => t.toBackend(t.toBackend(x, 'reference'), x.backend.name)),
};

/** Composite ops whose spec mixes several ops keep the name of the op under test in its key. */
export const SPEC_NAMES = Object.keys(OP_SPECS);
