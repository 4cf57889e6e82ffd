/** The Adam family: Adam, AdamW (decoupled weight decay) and Adamax (infinity norm). */
import { abs, sqrt, square } from '../ops/unary.js';
import { add, div, maximum, mul, sub } from '../ops/arithmetic.js';
import type { Tensor } from '../tensor/tensor.js';
import { fusedAdamStep } from './adam-step.js';
import { optionNames } from '../options.js';
import { Optimizer, type OptimizerOptions, OPTIMIZER_ARGS } from './optimizer.js';

export interface AdamOptions extends OptimizerOptions {
  readonly beta1?: number;
  readonly beta2?: number;
  /** Added to the denominator (default 1e-7, as in Keras). */
  readonly epsilon?: number;
}

/** m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; p ← p − lr·m̂/(√v̂ + ε) with bias-corrected m̂, v̂. */
export class Adam<Options extends AdamOptions = AdamOptions> extends Optimizer<Options> {
  static override readonly argNames = optionNames<AdamOptions>()(...OPTIMIZER_ARGS, 'beta1', 'beta2', 'epsilon');

  protected get beta1(): number {
    return this.options.beta1 ?? 0.9;
  }

  protected get epsilon(): number {
    return this.options.epsilon ?? 1e-7;
  }

  /** m ← β₁m + (1−β₁)g, in place. */
  protected firstMoment(p: Tensor, g: Tensor): Tensor {
    const m = this.slot(p, 'm');
    return m.assign(add(mul(m, this.beta1), mul(g, 1 - this.beta1)));
  }

  protected update(p: Tensor, g: Tensor, lr: number, t: number): void {
    const [b1, b2] = [this.beta1, this.options.beta2 ?? 0.999];
    const s = { learningRate: lr, beta1: b1, beta2: b2, epsilon: this.epsilon, correction1: 1 - b1 ** t, correction2: 1 - b2 ** t };
    if (fusedAdamStep(p, g, this.slot(p, 'm'), this.slot(p, 'v'), s)) return;
    // The same operations, op by op (the fused kernels follow this order exactly).
    const m = this.firstMoment(p, g);
    const v = this.slot(p, 'v');
    v.assign(add(mul(v, b2), mul(square(g), 1 - b2)));
    p.assign(sub(p, mul(div(div(m, s.correction1), add(sqrt(div(v, s.correction2)), s.epsilon)), lr)));
  }
}

/** Adam with decoupled weight decay (default 0.004, as in Keras). */
export class AdamW extends Adam {
  static override readonly argNames = Adam.argNames;

  protected override get defaultWeightDecay(): number {
    return 0.004;
  }
}

/** Adam with the infinity norm: u ← max(β₂u, |g|); p ← p − lr/(1−β₁ᵗ)·m/(u + ε). */
export class Adamax extends Adam {
  static override readonly argNames = Adam.argNames;

  protected override update(p: Tensor, g: Tensor, lr: number, t: number): void {
    const m = this.firstMoment(p, g);
    const u = this.slot(p, 'u');
    u.assign(maximum(mul(u, this.options.beta2 ?? 0.999), abs(g)));
    p.assign(sub(p, mul(div(m, add(u, this.epsilon)), lr / (1 - this.beta1 ** t))));
  }
}
