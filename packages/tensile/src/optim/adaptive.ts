/** Optimizers that scale each coordinate by its gradient history: RMSprop, Adagrad, Adadelta. */
import { add, div, mul, sub } from '../ops/arithmetic.js';
import { sqrt, square } from '../ops/unary.js';
import type { Tensor } from '../tensor/tensor.js';
import { optionNames } from '../options.js';
import { Optimizer, type OptimizerOptions, OPTIMIZER_ARGS } from './optimizer.js';

export interface RMSpropOptions extends OptimizerOptions {
  /** Decay of the squared-gradient average (default 0.9). */
  readonly rho?: number;
  readonly momentum?: number;
  readonly epsilon?: number;
  /** Divide by the variance estimate (subtracting the mean gradient) instead of the raw second moment. */
  readonly centered?: boolean;
}

/** v ← ρv + (1−ρ)g²; p ← p − lr·g/(√v + ε), optionally with momentum and centring. */
export class RMSprop extends Optimizer<RMSpropOptions> {
  static override readonly argNames = optionNames<RMSpropOptions>()(...OPTIMIZER_ARGS, 'rho', 'momentum', 'epsilon', 'centered');

  protected update(p: Tensor, g: Tensor, lr: number): void {
    const rho = this.options.rho ?? 0.9;
    const v = this.slot(p, 'v');
    v.assign(add(mul(v, rho), mul(square(g), 1 - rho)));
    let denominator = v;
    if (this.options.centered) {
      const mg = this.slot(p, 'meanGrad');
      mg.assign(add(mul(mg, rho), mul(g, 1 - rho)));
      denominator = sub(v, square(mg));
    }
    const step = mul(div(g, add(sqrt(denominator), this.options.epsilon ?? 1e-7)), lr);
    const momentum = this.options.momentum ?? 0;
    if (momentum === 0) {
      p.assign(sub(p, step));
      return;
    }
    const buffer = this.slot(p, 'momentum');
    buffer.assign(add(mul(buffer, momentum), step));
    p.assign(sub(p, buffer));
  }
}

export interface AdagradOptions extends OptimizerOptions {
  /** Starting value of the accumulator (default 0.1, as in Keras). */
  readonly initialAccumulatorValue?: number;
  readonly epsilon?: number;
}

/** a ← a + g²; p ← p − lr·g/(√a + ε). */
export class Adagrad extends Optimizer<AdagradOptions> {
  static override readonly argNames = optionNames<AdagradOptions>()(...OPTIMIZER_ARGS, 'initialAccumulatorValue', 'epsilon');

  protected update(p: Tensor, g: Tensor, lr: number): void {
    const a = this.slot(p, 'accumulator', this.options.initialAccumulatorValue ?? 0.1);
    a.assign(add(a, square(g)));
    p.assign(sub(p, mul(div(g, add(sqrt(a), this.options.epsilon ?? 1e-7)), lr)));
  }
}

export interface AdadeltaOptions extends OptimizerOptions {
  readonly rho?: number;
  readonly epsilon?: number;
}

/** Δ = √(E[Δ²] + ε)/√(E[g²] + ε)·g with running averages of g² and Δ²; p ← p − lr·Δ. */
export class Adadelta extends Optimizer<AdadeltaOptions> {
  static override readonly argNames = optionNames<AdadeltaOptions>()(...OPTIMIZER_ARGS, 'rho', 'epsilon');

  protected update(p: Tensor, g: Tensor, lr: number): void {
    const rho = this.options.rho ?? 0.95;
    const eps = this.options.epsilon ?? 1e-7;
    const accGrad = this.slot(p, 'accumulatedGrad');
    const accDelta = this.slot(p, 'accumulatedDelta');
    accGrad.assign(add(mul(accGrad, rho), mul(square(g), 1 - rho)));
    const delta = mul(div(sqrt(add(accDelta, eps)), sqrt(add(accGrad, eps))), g);
    accDelta.assign(add(mul(accDelta, rho), mul(square(delta), 1 - rho)));
    p.assign(sub(p, mul(delta, lr)));
  }
}
