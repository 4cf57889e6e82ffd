/**
 * Forward-only cases for the ops without a gradient, so that with the gradient table every registered
 * op has a case that runs on every backend.
 */
import * as t from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import type { Maker } from './op-specs.js';

export interface ValueSpec {
  inputs(m: Maker): Tensor[];
  fn(...xs: Tensor[]): Tensor;
}

const on = (x: Tensor): { backend: string } => ({ backend: x.backend.name });
const rounding = (fn: (x: Tensor) => Tensor): ValueSpec => ({ inputs: (m) => [m.uniform([2, 5], -3, 3)], fn });
const compare = (fn: (a: Tensor, b: Tensor) => Tensor): ValueSpec => ({
  inputs: (m) => [m.ints([1, 2, 3, 4, 5, 6], [2, 3]), m.ints([3, 2, 1])],
  fn,
});

export const VALUE_SPECS: Record<string, ValueSpec> = {
  sign: rounding(t.sign),
  floor: rounding(t.floor),
  ceil: rounding(t.ceil),
  round: { inputs: (m) => [m.uniform([4], 0, 1)], fn: (x) => t.round(t.add(t.mul(x, 0), t.tensor([0.5, 1.5, 2.5, -0.5], [4], on(x)))) },
  trunc: rounding(t.trunc),
  eq: compare(t.eq),
  ne: compare(t.ne),
  lt: compare(t.lt),
  le: compare(t.le),
  gt: compare(t.gt),
  ge: compare(t.ge),
  logicalAnd: compare((a, b) => t.logicalAnd(t.gt(a, 2), t.lt(b, 3))),
  logicalOr: compare((a, b) => t.logicalOr(t.gt(a, 4), t.lt(b, 2))),
  logicalXor: compare((a, b) => t.logicalXor(t.gt(a, 2), t.lt(b, 3))),
  logicalNot: compare((a) => t.logicalNot(t.gt(a, 2))),
  isNaN: { inputs: (m) => [m.uniform([3])], fn: (x) => t.isNaN(t.log(t.sub(x, 0.5))) },
  isFinite: { inputs: (m) => [m.uniform([3])], fn: (x) => t.isFinite(t.div(x, t.tensor([0, 1, 0], [3], on(x)))) },
  isInf: { inputs: (m) => [m.uniform([3])], fn: (x) => t.isInf(t.div(x, t.tensor([0, 1, 0], [3], on(x)))) },
  tensor: { inputs: (m) => [m.uniform([1])], fn: (x) => t.tensor([[1, 2], [3, 4]], undefined, on(x)) },
  scalar: { inputs: (m) => [m.uniform([1])], fn: (x) => t.scalar(2.5, on(x)) },
  full: { inputs: (m) => [m.uniform([1])], fn: (x) => t.full([2, 2], 7, on(x)) },
  zeros: { inputs: (m) => [m.uniform([1])], fn: (x) => t.zeros([3], on(x)) },
  ones: { inputs: (m) => [m.uniform([1])], fn: (x) => t.ones([2, 1], { ...on(x), dtype: 'int32' }) },
  fullLike: { inputs: (m) => [m.uniform([2, 3])], fn: (x) => t.fullLike(x, 3) },
  zerosLike: { inputs: (m) => [m.uniform([2, 3])], fn: (x) => t.zerosLike(x) },
  onesLike: { inputs: (m) => [m.uniform([2, 3])], fn: (x) => t.onesLike(x) },
  arange: { inputs: (m) => [m.uniform([1])], fn: (x) => t.add(t.arange(5, undefined, 1, on(x)), t.arange(0, 1, 0.2, on(x))) },
  linspace: { inputs: (m) => [m.uniform([1])], fn: (x) => t.linspace(-1, 1, 5, on(x)) },
  eye: { inputs: (m) => [m.uniform([1])], fn: (x) => t.eye(3, 4, on(x)) },
  rand: { inputs: (m) => [m.uniform([1])], fn: (x) => t.rand([3], { ...on(x), generator: new t.Generator(1) }) },
  randn: { inputs: (m) => [m.uniform([1])], fn: (x) => t.randn([3], { ...on(x), generator: new t.Generator(1) }) },
  truncatedNormal: { inputs: (m) => [m.uniform([1])], fn: (x) => t.truncatedNormal([3], { ...on(x), generator: new t.Generator(1) }) },
  randint: { inputs: (m) => [m.uniform([1])], fn: (x) => t.randint(0, 10, [4], { ...on(x), generator: new t.Generator(1) }) },
  randperm: { inputs: (m) => [m.uniform([1])], fn: (x) => t.randperm(6, { ...on(x), generator: new t.Generator(1) }) },
  randLike: { inputs: (m) => [m.uniform([2, 2])], fn: (x) => t.randLike(x, { generator: new t.Generator(1) }) },
  randnLike: { inputs: (m) => [m.uniform([2, 2])], fn: (x) => t.randnLike(x, { generator: new t.Generator(1) }) },
  argmax: { inputs: (m) => [m.uniform([3, 4])], fn: (x) => t.argmax(x, 1) },
  hog: { inputs: (m) => [m.uniform([13, 17], 0, 255)], fn: (x) => t.hog(x, { cellSize: 4 }) },
  resizeGray: { inputs: (m) => [m.uniform([13, 17], 0, 255)], fn: (x) => t.resizeGray(x, { width: 11, height: 7, method: 'area', uint8: true }) },
  windowScores: { inputs: (m) => [m.uniform([5, 7, 3]), m.uniform([2, 3, 3])], fn: (map, weights) => t.windowScores(map, weights) },
  argmin: { inputs: (m) => [m.uniform([3, 4])], fn: (x) => t.argmin(x) },
  all: compare((a) => t.all(t.gt(a, 0), 1)),
  any: compare((a) => t.any(t.gt(a, 4), 0)),
  floorDiv: compare((a, b) => t.floorDiv(a, b)),
  oneHot: { inputs: (m) => [m.ints([0, 2, 1, 5])], fn: (i) => t.oneHot(i, 3) },
};
