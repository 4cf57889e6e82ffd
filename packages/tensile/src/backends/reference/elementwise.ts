/** Elementwise kernels of the reference backend: unary, broadcasting binary, where, cast. */
import type { ActivationOp, BinaryOp, UnaryOp } from '../../backend/contract.js';
import type { DType, TypedArray } from '../../tensor/dtype.js';
import { allocArray } from '../../tensor/dtype.js';
import type { Shape } from '../../tensor/shape.js';
import { broadcastStrides, shapesEqual, sizeOf } from '../../tensor/shape.js';
import { erf } from './erf.js';

type Unary = (v: number) => number;
type Binary = (a: number, b: number) => number;

export const UNARY: Record<UnaryOp, Unary> = {
  neg: (v) => -v,
  abs: Math.abs,
  sign: (v) => (v > 0 ? 1 : v < 0 ? -1 : v),
  sqrt: Math.sqrt,
  rsqrt: (v) => 1 / Math.sqrt(v),
  exp: Math.exp,
  log: Math.log,
  log1p: Math.log1p,
  expm1: Math.expm1,
  square: (v) => v * v,
  reciprocal: (v) => 1 / v,
  floor: Math.floor,
  ceil: Math.ceil,
  // Half away from zero would bias; banker's rounding matches numpy/PyTorch.
  round: (v) => {
    const r = Math.round(v);
    return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  },
  sin: Math.sin,
  cos: Math.cos,
  erf,
  relu: (v) => (v <= 0 ? 0 : v), // NaN passes through, as in PyTorch
  sigmoid: (v) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v))),
  tanh: Math.tanh,
  softplus: (v) => (v > 20 ? v : v < -20 ? Math.exp(v) : Math.log1p(Math.exp(v))),
  elu: (v) => (v > 0 ? v : Math.expm1(v)),
  softsign: (v) => v / (1 + Math.abs(v)),
  isNaN: (v) => (Number.isNaN(v) ? 1 : 0),
  isFinite: (v) => (Number.isFinite(v) ? 1 : 0),
  logicalNot: (v) => (v ? 0 : 1),
};

export const BINARY: Record<BinaryOp, Binary> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  maximum: (a, b) => (a > b || Number.isNaN(a) ? a : b),
  minimum: (a, b) => (a < b || Number.isNaN(a) ? a : b),
  mod: (a, b) => a - Math.floor(a / b) * b,
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
  logicalAnd: (a, b) => (a && b ? 1 : 0),
  logicalOr: (a, b) => (a || b ? 1 : 0),
};

export function unary(op: UnaryOp, x: TypedArray, outDType: DType): TypedArray {
  const f = UNARY[op];
  const out = allocArray(outDType, x.length);
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]!);
  return out;
}

/** dL/dx = dL/dy · f'(x) of each activation, with f'(x) written in terms of y = f(x). */
const ACTIVATION_GRAD: Record<ActivationOp, Binary> = {
  relu: (dy, y) => (y > 0 ? dy : 0), // selects, so an infinite dy where y ≤ 0 gives 0, not NaN
  sigmoid: (dy, y) => dy * y * (1 - y),
  tanh: (dy, y) => dy * (1 - y * y),
  softplus: (dy, y) => -dy * Math.expm1(-y), // σ(x) = 1 − e^−y
  elu: (dy, y) => (y > 0 ? dy : dy * (y + 1)),
  softsign: (dy, y) => dy * (1 - Math.abs(y)) ** 2,
};

export function activationGrad(op: ActivationOp, dy: TypedArray, y: TypedArray, dtype: DType): TypedArray {
  const f = ACTIVATION_GRAD[op];
  const out = allocArray(dtype, dy.length);
  for (let i = 0; i < dy.length; i++) out[i] = f(dy[i]!, y[i]!);
  return out;
}

/**
 * Walks `outShape` row by row with each operand broadcast to it: `visit(o, offsets, n, steps)` gets
 * the output offset, each operand's offset, the row length and each operand's step along the row.
 */
function forEachBroadcast(
  shapes: readonly Shape[],
  outShape: Shape,
  visit: (o: number, offsets: number[], n: number, steps: number[]) => void,
): void {
  const rank = outShape.length;
  const total = sizeOf(outShape);
  if (total === 0) return;
  const strides = shapes.map((s) => broadcastStrides(s, outShape));
  const inner = rank ? outShape[rank - 1]! : 1;
  const steps = strides.map((s) => (rank ? s[rank - 1]! : 0));
  const offsets = shapes.map(() => 0);
  const idx = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  for (let o = 0; o < total; o += inner) {
    visit(o, offsets, inner, steps);
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]!++;
      for (let k = 0; k < offsets.length; k++) offsets[k]! += strides[k]![d]!;
      if (idx[d]! < outShape[d]!) break;
      for (let k = 0; k < offsets.length; k++) offsets[k]! -= strides[k]![d]! * outShape[d]!;
      idx[d] = 0;
    }
  }
}

export function binary(
  op: BinaryOp,
  a: TypedArray,
  aShape: Shape,
  b: TypedArray,
  bShape: Shape,
  outShape: Shape,
  outDType: DType,
): TypedArray {
  const f = BINARY[op];
  const out = allocArray(outDType, sizeOf(outShape));
  if (shapesEqual(aShape, bShape)) {
    for (let i = 0; i < out.length; i++) out[i] = f(a[i]!, b[i]!);
  } else if (b.length === 1) {
    const bv = b[0]!;
    for (let i = 0; i < out.length; i++) out[i] = f(a[i]!, bv);
  } else if (a.length === 1) {
    const av = a[0]!;
    for (let i = 0; i < out.length; i++) out[i] = f(av, b[i]!);
  } else {
    forEachBroadcast([aShape, bShape], outShape, (o, [ia, ib], n, [sa, sb]) => {
      for (let j = 0; j < n; j++) out[o + j] = f(a[ia! + j * sa!]!, b[ib! + j * sb!]!);
    });
  }
  return out;
}

export function where(
  cond: TypedArray,
  condShape: Shape,
  a: TypedArray,
  aShape: Shape,
  b: TypedArray,
  bShape: Shape,
  outShape: Shape,
  outDType: DType,
): TypedArray {
  const out = allocArray(outDType, sizeOf(outShape));
  forEachBroadcast([condShape, aShape, bShape], outShape, (o, [ic, ia, ib], n, [sc, sa, sb]) => {
    for (let j = 0; j < n; j++) out[o + j] = cond[ic! + j * sc!] ? a[ia! + j * sa!]! : b[ib! + j * sb!]!;
  });
  return out;
}

export function cast(x: TypedArray, dtype: DType): TypedArray {
  const out = allocArray(dtype, x.length);
  if (dtype === 'bool') for (let i = 0; i < x.length; i++) out[i] = x[i] ? 1 : 0;
  else if (dtype === 'int32') for (let i = 0; i < x.length; i++) out[i] = Math.trunc(x[i]!);
  else out.set(x);
  return out;
}
