/** Broadcasting arithmetic of two tensors (or a tensor and a number), with gradients. */
import type { BinaryOp } from '../backend/contract.js';
import { record } from '../autograd/graph.js';
import { DTypeError, ValueError } from '../errors.js';
import type { DType } from '../tensor/dtype.js';
import { promote } from '../tensor/dtype.js';
import { broadcastShapes, shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { cast } from './cast.js';
import { eq, gt, lt } from './compare.js';
import { backendOf, operands } from './dispatch.js';
import { wrap } from '../tensor/wrap.js';
import { sumTo } from './reduce.js';
import { defineOp } from './registry.js';
import { log } from './unary.js';
import { where } from './where.js';

/** Runs a broadcasting binary kernel; the result dtype is `outDType` or the promoted input dtype. */
export function runBinary(name: string, kernel: BinaryOp, a: Tensor | number, b: Tensor | number, outDType?: DType): Tensor {
  if (!(a instanceof Tensor) && typeof a !== 'number') throw new DTypeError(`${name}: first operand must be a Tensor or number`);
  if (!(b instanceof Tensor) && typeof b !== 'number') throw new DTypeError(`${name}: second operand must be a Tensor or number`);
  const [ta, tb] = operands(a, b);
  const backend = backendOf(name, ta, tb);
  const outShape = shapesEqual(ta.shape, tb.shape) ? ta.shape : broadcastShapes(ta.shape, tb.shape, name);
  const dtype = outDType ?? promote(ta.dtype, tb.dtype);
  const inDType = promote(ta.dtype, tb.dtype);
  // Kernels see operands of one dtype; promotion happens here, never inside a kernel.
  const ca = ta.dtype === inDType ? ta : cast(ta, inDType);
  const cb = tb.dtype === inDType ? tb : cast(tb, inDType);
  return wrap(backend, backend.binary(kernel, ca, cb, outShape, dtype), outShape, dtype);
}

type Rule = (dy: Tensor, a: Tensor, b: Tensor, y: Tensor) => [Tensor | null, Tensor | null];

function arithmetic(name: string, kernel: BinaryOp, rule: Rule, outDType?: (a: DType, b: DType) => DType) {
  return defineOp(name, 'differentiable', (a: Tensor | number, b: Tensor | number): Tensor => {
    const [ta, tb] = operands(a, b);
    const y = runBinary(name, kernel, ta, tb, outDType?.(ta.dtype, tb.dtype));
    return record(name, y, [ta, tb], (dy) => {
      const [ga, gb] = rule(dy, ta, tb, y);
      return [ga && ta.requiresGrad ? sumTo(ga, ta.shape) : null, gb && tb.requiresGrad ? sumTo(gb, tb.shape) : null];
    });
  });
}

// d(a+b) = (dy, dy)
export const add = arithmetic('add', 'add', (dy) => [dy, dy]);
// d(a-b) = (dy, -dy)
export const sub = arithmetic('sub', 'sub', (dy) => [dy, mul(dy, -1)]);
// d(ab) = (dy·b, dy·a)
export const mul = arithmetic('mul', 'mul', (dy, a, b) => [mul(dy, b), mul(dy, a)]);
/** True division: ints divide to float32, as in PyTorch. */
// d(a/b) = (dy/b, -dy·a/b²)
export const div = arithmetic(
  'div',
  'div',
  (dy, a, b) => [div(dy, b), div(mul(mul(dy, a), -1), mul(b, b))],
  (a, b) => (promote(a, b) === 'float64' ? 'float64' : 'float32'),
);
// d(aᵇ) = (dy·b·aᵇ⁻¹, dy·aᵇ·ln a), the second taken as 0 where a ≤ 0 (ln undefined there)
export const pow = arithmetic('pow', 'pow', (dy, a, b, y) => [
  mul(dy, mul(b, pow(a, sub(b, 1)))),
  b.requiresGrad ? mul(dy, mul(y, where(gt(a, 0), log(where(gt(a, 0), a, 1)), 0))) : null,
]);
// Ties split the gradient evenly, as for max reductions.
export const maximum = arithmetic('maximum', 'maximum', (dy, a, b) => tieSplit(dy, gt(a, b), eq(a, b)));
export const minimum = arithmetic('minimum', 'minimum', (dy, a, b) => tieSplit(dy, lt(a, b), eq(a, b)));
/** Floored modulo (sign of the divisor, like Python and numpy). */
// d(a mod b) = (dy, -dy·floor(a/b))
export const mod = arithmetic('mod', 'mod', (dy, a, b) => [dy, mul(dy, mul(floorDiv(a, b), -1))]);

function tieSplit(dy: Tensor, wins: Tensor, ties: Tensor): [Tensor, Tensor] {
  const share = add(cast(wins, dy.dtype), mul(cast(ties, dy.dtype), 0.5));
  return [mul(dy, share), mul(dy, sub(1, share))];
}

/** floor(a / b) (no gradient). */
export const floorDiv = defineOp('floorDiv', 'nondifferentiable', (a: Tensor | number, b: Tensor | number): Tensor => {
  const [ta, tb] = operands(a, b);
  const q = div(ta, tb);
  const f = wrap(q.backend, q.backend.unary('floor', q, q.dtype), q.shape, q.dtype);
  return ta.dtype === 'int32' && tb.dtype === 'int32' ? cast(f, 'int32') : f;
});

/** Limits values to [min, max]; the gradient flows where the value was inside. */
export const clamp = defineOp('clamp', 'differentiable', (x: Tensor, min?: number, max?: number): Tensor => {
  if (min !== undefined && max !== undefined && min > max) throw new ValueError(`clamp: min ${min} is greater than max ${max}`);
  let y = x;
  if (min !== undefined) y = maximumNoTies(y, min);
  if (max !== undefined) y = minimumNoTies(y, max);
  return y;
});

// clamp passes the whole gradient at the bounds (as PyTorch), so it uses where rather than maximum.
function maximumNoTies(x: Tensor, bound: number): Tensor {
  return where(lt(x, bound), bound, x);
}
function minimumNoTies(x: Tensor, bound: number): Tensor {
  return where(gt(x, bound), bound, x);
}
