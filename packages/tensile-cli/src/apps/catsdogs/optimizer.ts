/** The optimisers a cats-vs-dogs run can train with: Adam (the recipe's), or SGD with Nesterov momentum. */
import { Adam, type LearningRateSchedule, type Optimizer, SGD } from 'tensile';

export const OPTIMIZERS = ['adam', 'sgd'] as const;
export type CatsDogsOptimizer = (typeof OPTIMIZERS)[number];

/** Momentum of the SGD choice. */
export const SGD_MOMENTUM = 0.9;

/** How the report names the optimiser. */
export function optimizerDescription(name: CatsDogsOptimizer = 'adam'): string {
  return name === 'sgd' ? `SGD with Nesterov momentum ${SGD_MOMENTUM}` : 'Adam';
}

/** A fresh optimiser; `weightDecay` is decoupled (p ← p − lr·wd·p) for both. */
export function catsDogsOptimizer(name: CatsDogsOptimizer, learningRate: LearningRateSchedule, weightDecay: number): Optimizer {
  return name === 'sgd' ? new SGD({ learningRate, momentum: SGD_MOMENTUM, nesterov: true, weightDecay }) : new Adam({ learningRate, weightDecay });
}
