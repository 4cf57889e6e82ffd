/** Gradient clipping on parameters' `.grad`, in place (PyTorch's clip_grad_norm_ / clip_grad_value_). */
import { noGrad } from '../autograd/graph.js';
import { ValueError } from '../errors.js';
import { clamp, mul } from '../ops/arithmetic.js';
import { sum } from '../ops/reduce.js';
import { square } from '../ops/unary.js';
import { scope } from '../tensor/lifetime.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * Scales all gradients together so their global L2 norm is at most `maxNorm`; returns the norm
 * before clipping.
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number): number {
  if (!(maxNorm > 0)) throw new ValueError(`clipGradNorm: maxNorm must be positive, got ${maxNorm}`);
  const withGrad = [...params].filter((p) => p.grad);
  if (withGrad.length === 0) return 0;
  const total = noGrad(() => scope(() => Math.sqrt(withGrad.reduce((s, p) => s + sum(square(p.grad!)).item(), 0))));
  if (total > maxNorm) {
    const factor = maxNorm / (total + 1e-6);
    noGrad(() => withGrad.forEach((p) => (p.grad = mul(p.grad!, factor))));
  }
  return total;
}

/** Clamps every gradient element to [-clipValue, clipValue]. */
export function clipGradValue(params: Iterable<Tensor>, clipValue: number): void {
  if (!(clipValue > 0)) throw new ValueError(`clipGradValue: clipValue must be positive, got ${clipValue}`);
  noGrad(() => {
    for (const p of params) if (p.grad) p.grad = clamp(p.grad, -clipValue, clipValue);
  });
}
