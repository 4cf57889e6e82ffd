/** The Adam family: Adam, AdamW (decoupled weight decay) and Adamax (infinity norm). */
import { abs, sqrt, square } from '../ops/unary.js';
import { add, div, maximum, mul, sub } from '../ops/arithmetic.js';
import type { Tensor } from '../tensor/tensor.js';
import { Optimizer, type OptimizerOptions } from './optimizer.js';

export interface AdamOptions extends OptimizerOptions {
  readonly beta1?: number;
  readonly beta2?: number;
  /** Added to the denominator (default 1e-7, as in Keras). */
  readonly epsilon?: number;
}

/** m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; p ← p − lr·m̂/(√v̂ + ε) with bias-corrected m̂, v̂. */
export class Adam<Options extends AdamOptions = AdamOptions> extends Optimizer<Options> {
  protected moments(p: Tensor, g: Tensor): [Tensor, number, number] {
    const b1 = this.options.beta1 ?? 0.9;
    const m = this.slot(p, 'm');
    m.assign(add(mul(m, b1), mul(g, 1 - b1)));
    return [m, b1, this.options.epsilon ?? 1e-7];
  }

  protected update(p: Tensor, g: Tensor, lr: number, t: number): void {
    const [m, b1, eps] = this.moments(p, g);
    const b2 = this.options.beta2 ?? 0.999;
    const v = this.slot(p, 'v');
    v.assign(add(mul(v, b2), mul(square(g), 1 - b2)));
    const mHat = div(m, 1 - b1 ** t);
    const vHat = div(v, 1 - b2 ** t);
    p.assign(sub(p, mul(div(mHat, add(sqrt(vHat), eps)), lr)));
  }
}

/** Adam with decoupled weight decay (default 0.004, as in Keras). */
export class AdamW extends Adam {
  protected override get defaultWeightDecay(): number {
    return 0.004;
  }
}

/** Adam with the infinity norm: u ← max(β₂u, |g|); p ← p − lr/(1−β₁ᵗ)·m/(u + ε). */
export class Adamax extends Adam {
  protected override update(p: Tensor, g: Tensor, lr: number, t: number): void {
    const [m, b1, eps] = this.moments(p, g);
    const u = this.slot(p, 'u');
    u.assign(maximum(mul(u, this.options.beta2 ?? 0.999), abs(g)));
    p.assign(sub(p, mul(div(m, add(u, eps)), lr / (1 - b1 ** t))));
  }
}
