/** Comparisons and logic: broadcasting, bool results, no gradient. */
import type { BinaryOp } from '../backend/contract.js';
import type { Tensor } from '../tensor/tensor.js';
import { runBinary } from './arithmetic.js';
import { cast } from './cast.js';
import { defineOp } from './registry.js';
import { runUnary } from './unary.js';

function comparison(name: string, kernel: BinaryOp) {
  return defineOp(name, 'nondifferentiable', (a: Tensor | number, b: Tensor | number): Tensor => runBinary(name, kernel, a, b, 'bool'));
}

export const eq = comparison('eq', 'eq');
export const ne = comparison('ne', 'ne');
export const lt = comparison('lt', 'lt');
export const le = comparison('le', 'le');
export const gt = comparison('gt', 'gt');
export const ge = comparison('ge', 'ge');

function asBool(t: Tensor | number): Tensor | number {
  return typeof t === 'number' ? (t ? 1 : 0) : t.dtype === 'bool' ? t : cast(t, 'bool');
}

export const logicalAnd = defineOp('logicalAnd', 'nondifferentiable', (a: Tensor | number, b: Tensor | number): Tensor =>
  runBinary('logicalAnd', 'logicalAnd', asBool(a), asBool(b), 'bool'),
);
export const logicalOr = defineOp('logicalOr', 'nondifferentiable', (a: Tensor | number, b: Tensor | number): Tensor =>
  runBinary('logicalOr', 'logicalOr', asBool(a), asBool(b), 'bool'),
);
export const logicalXor = defineOp('logicalXor', 'nondifferentiable', (a: Tensor | number, b: Tensor | number): Tensor =>
  runBinary('logicalXor', 'ne', asBool(a), asBool(b), 'bool'),
);
export const logicalNot = defineOp('logicalNot', 'nondifferentiable', (x: Tensor): Tensor =>
  runUnary('logicalNot', 'logicalNot', x, 'bool', false),
);
export const isNaN = defineOp('isNaN', 'nondifferentiable', (x: Tensor): Tensor => runUnary('isNaN', 'isNaN', x, 'bool', false));
export const isFinite = defineOp('isFinite', 'nondifferentiable', (x: Tensor): Tensor =>
  runUnary('isFinite', 'isFinite', x, 'bool', false),
);
export const isInf = defineOp('isInf', 'nondifferentiable', (x: Tensor): Tensor =>
  logicalAnd(logicalNot(isFinite(x)), logicalNot(isNaN(x))),
);
