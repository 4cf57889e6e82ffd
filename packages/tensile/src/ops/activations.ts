/**
 * Activation functions beyond the unary primitives (relu, sigmoid, tanh, softplus live in unary.ts):
 * elu and softsign have kernels, the others are composed from differentiable ops; plus softmax and
 * logSoftmax.
 */
import { noGrad } from '../autograd/graph.js';
import { ValueError } from '../errors.js';
import { normAxis } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { add, clamp, div, minimum, mul, sub } from './arithmetic.js';
import { gt } from './compare.js';
import { max, sum } from './reduce.js';
import { defineOp } from './registry.js';
import { abs, activationKernel, erf, exp, expm1, log, relu, sigmoid, softplus, square, tanh } from './unary.js';
import { where } from './where.js';

export const relu6 = defineOp('relu6', 'differentiable', (x: Tensor): Tensor => clamp(x, 0, 6));

export const leakyRelu = defineOp('leakyRelu', 'differentiable', (x: Tensor, alpha = 0.01): Tensor => where(gt(x, 0), x, mul(x, alpha)));

// d/dx elu(x) = 1 for x > 0, else eˣ = y + 1 (α = 1, the kernel's case)
const eluKernel = activationKernel('elu', (dy, x, y) => where(gt(x, 0), dy, mul(dy, add(y, 1))));
/** x for x > 0, α(eˣ − 1) otherwise; α = 1 (the default) runs as one kernel. */
export const elu = defineOp('elu', 'differentiable', (x: Tensor, alpha = 1): Tensor =>
  alpha === 1 ? eluKernel(x) : where(gt(x, 0), x, mul(expm1(minimum(x, 0)), alpha)));

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
export const selu = defineOp('selu', 'differentiable', (x: Tensor): Tensor => mul(elu(x, SELU_ALPHA), SELU_SCALE));

/** max(0,x) + min(0, α(e^(x/α) − 1)). */
export const celu = defineOp('celu', 'differentiable', (x: Tensor, alpha = 1): Tensor =>
  add(relu(x), minimum(mul(expm1(div(minimum(x, 0), alpha)), alpha), 0)),
);

/** x / (1 + |x|). */
// d/dx x/(1+|x|) = 1/(1+|x|)²
export const softsign = defineOp('softsign', 'differentiable', activationKernel('softsign', (dy, x) => div(dy, square(add(abs(x), 1)))));

/** x·Φ(x); `approximate: 'tanh'` uses the tanh formula of the original paper. */
export const gelu = defineOp('gelu', 'differentiable', (x: Tensor, options: { approximate?: 'none' | 'tanh' } = {}): Tensor => {
  if (options.approximate === 'tanh') {
    const inner = mul(add(x, mul(mul(x, mul(x, x)), 0.044715)), Math.sqrt(2 / Math.PI));
    return mul(mul(x, 0.5), add(tanh(inner), 1));
  }
  return mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1));
});

/** x·σ(x), also called swish. */
export const silu = defineOp('silu', 'differentiable', (x: Tensor): Tensor => mul(x, sigmoid(x)));

/** clamp(x/6 + 1/2, 0, 1) (PyTorch's definition; Keras 3 uses the same). */
export const hardSigmoid = defineOp('hardSigmoid', 'differentiable', (x: Tensor): Tensor => clamp(add(div(x, 6), 0.5), 0, 1));

export const hardSwish = defineOp('hardSwish', 'differentiable', (x: Tensor): Tensor => mul(x, hardSigmoid(x)));

export const hardTanh = defineOp('hardTanh', 'differentiable', (x: Tensor, min = -1, max = 1): Tensor => clamp(x, min, max));

/** x·tanh(softplus(x)). */
export const mish = defineOp('mish', 'differentiable', (x: Tensor): Tensor => mul(x, tanh(softplus(x))));

/** log σ(x) = −softplus(−x), stable for large |x|. */
export const logSigmoid = defineOp('logSigmoid', 'differentiable', (x: Tensor): Tensor => mul(softplus(mul(x, -1)), -1));

/** max(0,x) + α·min(0,x) with a learnable α (broadcast against x). */
export const prelu = defineOp('prelu', 'differentiable', (x: Tensor, alpha: Tensor): Tensor => add(relu(x), mul(alpha, minimum(x, 0))));

/** Stable softmax along `axis`: the max is subtracted first. */
export const softmax = defineOp('softmax', 'differentiable', (x: Tensor, axis = -1): Tensor => {
  const a = normAxis(axis, x.rank, 'softmax');
  const shift = noGrad(() => max(x, a, true));
  const e = exp(sub(x, shift));
  return div(e, sum(e, a, true));
});

/** x − logΣexp(x) along `axis`. */
export const logSoftmax = defineOp('logSoftmax', 'differentiable', (x: Tensor, axis = -1): Tensor => {
  const a = normAxis(axis, x.rank, 'logSoftmax');
  const shifted = sub(x, noGrad(() => max(x, a, true)));
  return sub(shifted, log(sum(exp(shifted), a, true)));
});

export type ActivationName =
  | 'linear' | 'relu' | 'relu6' | 'leakyRelu' | 'elu' | 'selu' | 'celu' | 'sigmoid' | 'tanh' | 'softplus' | 'softsign'
  | 'gelu' | 'silu' | 'swish' | 'hardSigmoid' | 'hardSwish' | 'hardTanh' | 'mish' | 'logSigmoid' | 'softmax' | 'logSoftmax';

const BY_NAME: Record<ActivationName, (x: Tensor) => Tensor> = {
  linear: (x) => x,
  relu, relu6, leakyRelu: (x) => leakyRelu(x), elu: (x) => elu(x), selu, celu: (x) => celu(x), sigmoid, tanh, softplus, softsign,
  gelu: (x) => gelu(x), silu, swish: silu, hardSigmoid, hardSwish, hardTanh: (x) => hardTanh(x), mish, logSigmoid,
  softmax: (x) => softmax(x), logSoftmax: (x) => logSoftmax(x),
};

export const ACTIVATIONS = Object.keys(BY_NAME) as ActivationName[];

/** The activation function called `name` (Keras names; camelCase). */
export function activation(name: ActivationName): (x: Tensor) => Tensor {
  const fn = (BY_NAME as Record<string, ((x: Tensor) => Tensor) | undefined>)[name];
  if (!fn) throw new ValueError(`activation: unknown activation '${name}' (known: ${ACTIVATIONS.join(', ')})`);
  return fn;
}

