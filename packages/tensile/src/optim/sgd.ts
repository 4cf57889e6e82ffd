import { add, mul, sub } from '../ops/arithmetic.js';
import type { Tensor } from '../tensor/tensor.js';
import { optionNames } from '../options.js';
import { Optimizer, type OptimizerOptions, OPTIMIZER_ARGS } from './optimizer.js';

export interface SGDOptions extends OptimizerOptions {
  /** Velocity decay μ (default 0: plain SGD). */
  readonly momentum?: number;
  /** Nesterov momentum: step along g + μ·v instead of v. */
  readonly nesterov?: boolean;
}

/**
 * Stochastic gradient descent with optional (Nesterov) momentum, PyTorch's formulation:
 * v ← μ·v + g; p ← p − lr·(nesterov ? g + μ·v : v). Default learning rate 0.01.
 */
export class SGD extends Optimizer<SGDOptions> {
  static override readonly argNames = optionNames<SGDOptions>()(...OPTIMIZER_ARGS, 'momentum', 'nesterov');

  protected override get defaultLearningRate(): number {
    return 0.01;
  }

  protected update(p: Tensor, g: Tensor, lr: number): void {
    const momentum = this.options.momentum ?? 0;
    if (momentum === 0) {
      p.assign(sub(p, mul(g, lr)));
      return;
    }
    const v = this.slot(p, 'momentum');
    v.assign(add(mul(v, momentum), g));
    const direction = this.options.nesterov ? add(g, mul(v, momentum)) : v;
    p.assign(sub(p, mul(direction, lr)));
  }
}
