/** Elementwise math of one tensor, each with its gradient rule. */
import type { ActivationOp, UnaryOp } from '../backend/contract.js';
import { isGradEnabled, record } from '../autograd/graph.js';
import type { DType } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { add, div, mul, sub } from './arithmetic.js';
import { backendOf, requireFloat, requireTensor } from './dispatch.js';
import { wrap } from '../tensor/wrap.js';
import { defineOp } from './registry.js';
import { where } from './where.js';
import { gt } from './compare.js';

type GradRule = (dy: Tensor, x: Tensor, y: Tensor) => Tensor;

/** Runs a unary kernel; float-only ops reject ints, the rest keep the dtype. */
export function runUnary(name: string, kernel: UnaryOp, x: Tensor, outDType?: DType, floatOnly = true): Tensor {
  requireTensor(name, x);
  if (floatOnly) requireFloat(name, x);
  const backend = backendOf(name, x);
  const dtype = outDType ?? x.dtype;
  return wrap(backend, backend.unary(kernel, x, dtype), x.shape, dtype);
}

function differentiable(name: string, kernel: UnaryOp, rule: GradRule): (x: Tensor) => Tensor {
  return defineOp(name, 'differentiable', (x: Tensor): Tensor => {
    const y = runUnary(name, kernel, x);
    return record(name, y, [x], (dy) => [rule(dy, x, y)]);
  });
}

/**
 * dL/dx of y = name(x): one backend pass over dy and y, except while the gradient itself is being
 * recorded (createGraph), where the composite `rule` runs so that higher derivatives stay available.
 */
function activationGradient(name: ActivationOp, rule: GradRule, dy: Tensor, x: Tensor, y: Tensor): Tensor {
  if (isGradEnabled() || dy.dtype !== y.dtype) return rule(dy, x, y);
  const backend = backendOf(name, dy, y);
  return wrap(backend, backend.activationGrad(name, dy, y), y.shape, y.dtype);
}

/** The function of an activation kernel with its gradient (not registered: the op wrapping it is). */
export function activationKernel(name: ActivationOp, rule: GradRule, floatOnly = true): (x: Tensor) => Tensor {
  return (x: Tensor): Tensor => {
    const y = runUnary(name, name, x, undefined, floatOnly);
    return record(name, y, [x], (dy) => [activationGradient(name, rule, dy, x, y)]);
  };
}

function activation(name: ActivationOp, rule: GradRule, floatOnly = true): (x: Tensor) => Tensor {
  return defineOp(name, 'differentiable', activationKernel(name, rule, floatOnly));
}

/** Ops that accept ints and keep their dtype (neg, abs, square); only float inputs carry gradients. */
function anyNumeric(name: string, kernel: UnaryOp, rule: GradRule): (x: Tensor) => Tensor {
  return defineOp(name, 'differentiable', (x: Tensor): Tensor => {
    const y = runUnary(name, kernel, x, undefined, false);
    return record(name, y, [x], (dy) => [rule(dy, x, y)]);
  });
}

function rounding(name: string, kernel: UnaryOp): (x: Tensor) => Tensor {
  return defineOp(name, 'nondifferentiable', (x: Tensor): Tensor => runUnary(name, kernel, x, undefined, false));
}

// d/dx -x = -1
export const neg = anyNumeric('neg', 'neg', (dy) => neg(dy));
// d/dx |x| = sign(x)
export const abs = anyNumeric('abs', 'abs', (dy, x) => mul(dy, sign(x)));
// d/dx x² = 2x
export const square = anyNumeric('square', 'square', (dy, x) => mul(dy, mul(x, 2)));
// d/dx √x = 1 / (2√x)
export const sqrt = differentiable('sqrt', 'sqrt', (dy, _x, y) => div(dy, mul(y, 2)));
// d/dx x^(-1/2) = -½ y³
export const rsqrt = differentiable('rsqrt', 'rsqrt', (dy, _x, y) => mul(dy, mul(mul(y, mul(y, y)), -0.5)));
// d/dx eˣ = eˣ
export const exp = differentiable('exp', 'exp', (dy, _x, y) => mul(dy, y));
// d/dx ln x = 1/x
export const log = differentiable('log', 'log', (dy, x) => div(dy, x));
// d/dx ln(1+x) = 1/(1+x)
export const log1p = differentiable('log1p', 'log1p', (dy, x) => div(dy, add(x, 1)));
// d/dx (eˣ-1) = eˣ = y + 1
export const expm1 = differentiable('expm1', 'expm1', (dy, _x, y) => mul(dy, add(y, 1)));
// d/dx 1/x = -1/x² = -y²
export const reciprocal = differentiable('reciprocal', 'reciprocal', (dy, _x, y) => neg(mul(dy, mul(y, y))));
// d/dx sin x = cos x
export const sin = differentiable('sin', 'sin', (dy, x) => mul(dy, cos(x)));
// d/dx cos x = -sin x
export const cos = differentiable('cos', 'cos', (dy, x) => neg(mul(dy, sin(x))));
// d/dx erf x = 2/√π · e^(-x²)
export const erf = differentiable('erf', 'erf', (dy, x) => mul(dy, mul(exp(neg(square(x))), 2 / Math.sqrt(Math.PI))));
// d/dx tanh x = 1 - tanh² x
export const tanh = activation('tanh', (dy, _x, y) => mul(dy, sub(1, square(y))));
// d/dx σ(x) = σ(x)(1 - σ(x))
export const sigmoid = activation('sigmoid', (dy, _x, y) => mul(dy, mul(y, sub(1, y))));
// d/dx ln(1+eˣ) = σ(x)
export const softplus = activation('softplus', (dy, x) => mul(dy, sigmoid(x)));
// d/dx max(x,0) = [x > 0] = [y > 0]; a select, so an infinite dy where x ≤ 0 gives 0 rather than NaN.
const reluRule: GradRule = (dy, _x, y) => where(gt(y, 0), dy, 0);
export const relu = activation('relu', reluRule, false);

/** dL/dz from dL/dy for y = relu(z), given y only (as after a fused bias + ReLU). */
export function reluGradient(dy: Tensor, y: Tensor): Tensor {
  return activationGradient('relu', reluRule, dy, y, y);
}

export const sign = rounding('sign', 'sign');
export const floor = rounding('floor', 'floor');
export const ceil = rounding('ceil', 'ceil');
/** Rounds half to even, as numpy and PyTorch do. */
export const round = rounding('round', 'round');

// Composites: no gradient code of their own.
export const log2 = defineOp('log2', 'differentiable', (x: Tensor): Tensor => mul(log(x), 1 / Math.LN2));
export const log10 = defineOp('log10', 'differentiable', (x: Tensor): Tensor => mul(log(x), 1 / Math.LN10));
export const tan = defineOp('tan', 'differentiable', (x: Tensor): Tensor => div(sin(x), cos(x)));
export const trunc = defineOp('trunc', 'nondifferentiable', (x: Tensor): Tensor => mul(sign(x), floor(abs(x))));
