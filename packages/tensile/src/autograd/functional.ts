/** Functional differentiation (JAX style): transform a function into one that returns its gradients. */
import { GradError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { fullOn } from '../tensor/wrap.js';
import { gradients } from './backward.js';
import { enableGrad } from './graph.js';

export interface ValueAndGrad {
  value: Tensor;
  /** One gradient per argument, in order. */
  grads: Tensor[];
}

/**
 * `valueAndGrad(f)(...xs)` evaluates f and its gradient with respect to every argument. f must
 * return a one-element tensor. Nested transforms give higher derivatives.
 */
export function valueAndGrad<Args extends Tensor[]>(f: (...args: Args) => Tensor): (...args: Args) => ValueAndGrad {
  return (...args: Args): ValueAndGrad => {
    // Arguments already in a graph (an outer transform) keep it, so the result stays differentiable.
    const nested = args.some((a) => a.requiresGrad);
    const inputs = args.map((a) => (a.requiresGrad ? a : a.detach().requiresGrad_())) as Args;
    const value = enableGrad(() => f(...inputs));
    if (!(value instanceof Tensor)) throw new GradError('valueAndGrad: the function must return a Tensor');
    if (value.size !== 1) throw new GradError(`valueAndGrad: the function must return one element, got shape [${value.shape.join(',')}]`);
    if (!value.requiresGrad) return { value, grads: inputs.map((x) => fullOn(x.backend, x.shape, 0, x.dtype)) };
    const grads = gradients(value, inputs, { createGraph: nested, retainGraph: nested });
    return { value: nested ? value : value.detach(), grads };
  };
}

/** `grad(f)(x, ...)`: the gradient of scalar-valued f with respect to its first argument. */
export function grad<Args extends Tensor[]>(f: (...args: Args) => Tensor): (...args: Args) => Tensor {
  const vg = valueAndGrad(f);
  return (...args: Args): Tensor => vg(...args).grads[0]!;
}
