/** The Adam family: Adam, AdamW (decoupled weight decay) and Adamax (infinity norm). */
import { abs, sqrt, square } from '../ops/unary.js';
import { add, div, maximum, mul, sub } from '../ops/arithmetic.js';
import type { AdamStepScalars } from '../backend/contract.js';
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

  /** This step's scalars, one record updated in place: a compiled step's fused kernels read it at every call. */
  private readonly scalars: { -readonly [K in keyof AdamStepScalars]: number } = { learningRate: 0, beta1: 0, beta2: 0, epsilon: 0, correction1: 1, correction2: 1 };

  protected override prepareStep(lr: number, t: number): void {
    const [b1, b2] = [this.beta1, this.options.beta2 ?? 0.999];
    Object.assign(this.scalars, { learningRate: lr, beta1: b1, beta2: b2, epsilon: this.epsilon, correction1: 1 - b1 ** t, correction2: 1 - b2 ** t });
  }

  /** Replayable when every update runs the fused kernel (its scalars are refreshed per call) and no decay term freezes the rate. */
  protected override replayRefusal(): string | null {
    const backend = this.params[0]?.backend;
    const fused = backend?.adamStep !== undefined && this.params.every((p) => p.dtype === 'float32');
    if (!fused) return `runs its composite update here (no fused Adam kernel for these parameters), whose bias correction changes every step`;
    const decay = this.options.weightDecay ?? this.defaultWeightDecay;
    return decay !== 0 && typeof this.learningRate !== 'number' ? 'combines weight decay with a learning-rate schedule, whose rate a compiled graph would freeze' : null;
  }

  // The step count reaches the update through `scalars` (prepareStep), so a replay can refresh it.
  protected update(p: Tensor, g: Tensor, lr: number, _t: number): void {
    const b2 = this.options.beta2 ?? 0.999;
    const s = this.scalars;
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

  protected override replayRefusal(): string | null {
    return 'scales its step by a bias correction that changes every step (Adamax has no fused kernel)';
  }

  protected override update(p: Tensor, g: Tensor, lr: number, t: number): void {
    const m = this.firstMoment(p, g);
    const u = this.slot(p, 'u');
    u.assign(maximum(mul(u, this.options.beta2 ?? 0.999), abs(g)));
    p.assign(sub(p, mul(div(m, add(u, this.epsilon)), lr / (1 - this.beta1 ** t))));
  }
}
