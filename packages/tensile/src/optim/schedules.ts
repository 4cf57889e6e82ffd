/**
 * Learning-rate schedules: functions of the optimizer's step count, given as `learningRate`.
 *
 * ```ts
 * new Adam({ learningRate: new CosineDecay({ initialLearningRate: 1e-3, decaySteps: 1000, warmupSteps: 100 }) });
 * ```
 */
import { ValueError } from '../errors.js';

export interface ScheduleConfig {
  readonly className: string;
  readonly config: Readonly<Record<string, number | boolean>>;
}

export abstract class LearningRateSchedule<Args extends object = object> {
  constructor(protected readonly args: Args) {}

  /** The learning rate for 0-based optimizer step `step`. */
  abstract at(step: number): number;

  getConfig(): ScheduleConfig {
    return { className: this.constructor.name, config: this.args as Readonly<Record<string, number | boolean>> };
  }
}

/** Multiplies the rate by `gamma` every `stepSize` steps (PyTorch's StepLR). */
export class StepDecay extends LearningRateSchedule<{ initialLearningRate: number; stepSize: number; gamma?: number }> {
  at(step: number): number {
    return this.args.initialLearningRate * (this.args.gamma ?? 0.1) ** Math.floor(step / this.args.stepSize);
  }
}

/** initial · decayRate^(step / decaySteps), floored to whole periods with `staircase`. */
export class ExponentialDecay extends LearningRateSchedule<{ initialLearningRate: number; decaySteps: number; decayRate: number; staircase?: boolean }> {
  at(step: number): number {
    const p = step / this.args.decaySteps;
    return this.args.initialLearningRate * this.args.decayRate ** (this.args.staircase ? Math.floor(p) : p);
  }
}

/**
 * Linear warm-up from 0 to `initialLearningRate` over `warmupSteps`, then cosine decay to
 * `alpha`·initial over `decaySteps`.
 */
export class CosineDecay extends LearningRateSchedule<{ initialLearningRate: number; decaySteps: number; alpha?: number; warmupSteps?: number }> {
  at(step: number): number {
    const { initialLearningRate: lr, decaySteps, alpha = 0, warmupSteps = 0 } = this.args;
    if (step < warmupSteps) return (lr * (step + 1)) / warmupSteps;
    const progress = Math.min(step - warmupSteps, decaySteps) / decaySteps;
    return lr * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * progress)) + alpha);
  }
}

/**
 * The one-cycle policy (PyTorch's OneCycleLR, cosine): from max/divFactor up to `maxLearningRate`
 * over the first `pctStart` of `totalSteps`, then down to max/(divFactor·finalDivFactor).
 */
export class OneCycle extends LearningRateSchedule<{ maxLearningRate: number; totalSteps: number; pctStart?: number; divFactor?: number; finalDivFactor?: number }> {
  at(step: number): number {
    const { maxLearningRate: max, totalSteps, pctStart = 0.3, divFactor = 25, finalDivFactor = 1e4 } = this.args;
    const initial = max / divFactor;
    const final = initial / finalDivFactor;
    const upSteps = Math.max(1, Math.floor(pctStart * totalSteps) - 1);
    const anneal = (from: number, to: number, fraction: number): number => to + ((from - to) * (1 + Math.cos(Math.PI * Math.min(1, fraction)))) / 2;
    if (step <= upSteps) return anneal(initial, max, step / upSteps);
    return anneal(max, final, (step - upSteps) / Math.max(1, totalSteps - 1 - upSteps));
  }
}

const SCHEDULES: Record<string, new (args: never) => LearningRateSchedule> = { StepDecay, ExponentialDecay, CosineDecay, OneCycle };

export function scheduleFromConfig(config: ScheduleConfig): LearningRateSchedule {
  const cls = SCHEDULES[config.className];
  if (!cls) throw new ValueError(`unknown learning-rate schedule '${config.className}' (known: ${Object.keys(SCHEDULES).join(', ')})`);
  return new (cls as unknown as new (args: object) => LearningRateSchedule)(config.config);
}
