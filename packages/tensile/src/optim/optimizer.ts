/**
 * The Optimizer base. Works both ways:
 * - PyTorch: `const opt = new Adam(model.parameters(), { learningRate: 1e-3 })`, then
 *   `opt.zeroGrad(); loss.backward(); opt.step()`;
 * - Keras: `model.compile({ optimizer: new Adam({ learningRate: 1e-3 }), … })` attaches the
 *   model's parameters.
 * Updates run under `noGrad` inside a `scope`, written with ops and `assign`, so parameters and
 * slots keep their identity and memory stays flat.
 */
import { noGrad } from '../autograd/graph.js';
import { traceRecorder } from '../backend/trace-hook.js';
import { ValueError } from '../errors.js';
import { mul, sub } from '../ops/arithmetic.js';
import { zerosLike } from '../ops/creation.js';
import { scope } from '../tensor/lifetime.js';
import { checkOptions } from '../options.js';
import { Tensor } from '../tensor/tensor.js';
import { clipGradNorm, clipGradValue } from './clip.js';
import { LearningRateSchedule, type ScheduleConfig, scheduleFromConfig } from './schedules.js';

export interface OptimizerOptions {
  /** A constant rate or a schedule of the step count. */
  readonly learningRate?: number | LearningRateSchedule;
  /** Decoupled weight decay: p ← p − lr·weightDecay·p each step (Keras 3 / AdamW style). */
  readonly weightDecay?: number;
  /** Rescale all gradients together to this global L2 norm at most. */
  readonly clipNorm?: number;
  /** Clamp every gradient element to [-clipValue, clipValue]. */
  readonly clipValue?: number;
}

export type OptimizerConfigValue = number | boolean | ScheduleConfig;

export interface OptimizerConfig {
  readonly className: string;
  readonly config: Readonly<Record<string, OptimizerConfigValue>>;
}

/** Step count and per-parameter slots ("0.m" = slot m of parameter 0), for checkpoints. */
export interface OptimizerState {
  readonly iterations: number;
  readonly slots: Record<string, Tensor>;
}

/** The options every optimizer takes, the start of each class's `argNames`. */
export const OPTIMIZER_ARGS = ['learningRate', 'weightDecay', 'clipNorm', 'clipValue'] as const;

function isParams(value: unknown): value is Iterable<Tensor> {
  return value !== null && typeof value === 'object' && Symbol.iterator in value;
}

export abstract class Optimizer<Options extends OptimizerOptions = OptimizerOptions> {
  params: Tensor[] = [];
  /** Steps taken (drives schedules and bias corrections). */
  iterations = 0;
  learningRate: number | LearningRateSchedule;
  protected readonly options: Options;
  private readonly slots = new Map<Tensor, Map<string, Tensor>>();

  /**
   * The options of this class, refused when misspelt (`{lr: 0.1}`). Each built-in optimizer
   * declares its own; a subclass that declares none (a user's optimizer) is not checked.
   */
  static readonly argNames?: readonly string[];

  constructor(paramsOrOptions?: Iterable<Tensor> | Options, maybeOptions?: Options) {
    const options = (isParams(paramsOrOptions) ? maybeOptions : paramsOrOptions) ?? ({} as Options);
    if (Object.hasOwn(new.target, 'argNames')) checkOptions(new.target.name, options, (new.target as { readonly argNames?: readonly string[] }).argNames!);
    this.options = options;
    this.learningRate = options.learningRate ?? this.defaultLearningRate;
    if (isParams(paramsOrOptions)) this.attach(paramsOrOptions);
  }

  protected get defaultLearningRate(): number {
    return 0.001;
  }

  protected get defaultWeightDecay(): number {
    return 0;
  }

  /** Sets the parameters to optimise (compile does this for Keras-style use). */
  attach(params: Iterable<Tensor>): this {
    this.params = [...params];
    for (const p of this.params) {
      if (!(p instanceof Tensor) || !p.requiresGrad) throw new ValueError(`${this.constructor.name}: every parameter must be a tensor that requires a gradient`);
    }
    return this;
  }

  /** The rate the next step will use. */
  get currentLearningRate(): number {
    return typeof this.learningRate === 'number' ? this.learningRate : this.learningRate.at(this.iterations);
  }

  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }

  /** A per-parameter state tensor, created (kept alive) on first use. */
  protected slot(param: Tensor, name: string, initialValue = 0): Tensor {
    let slots = this.slots.get(param);
    if (!slots) this.slots.set(param, (slots = new Map()));
    let s = slots.get(name);
    if (!s) slots.set(name, (s = noGrad(() => (initialValue === 0 ? zerosLike(param) : zerosLike(param).add(initialValue))).keep()));
    return s;
  }

  /**
   * Why this optimizer's step cannot be replayed by a compiled graph, or null when it can. A graph
   * freezes the numbers the step passes to ops; only numbers kept in `prepareStep`'s record (which
   * a replay refreshes) may change from step to step.
   */
  protected replayRefusal(): string | null {
    if (typeof this.learningRate !== 'number') return 'uses a learning-rate schedule, whose rate a compiled graph would freeze; use Adam (its fused step takes the rate every call) or a constant rate';
    return null;
  }

  /** Sets the per-step numbers a subclass keeps for its kernels (Adam's scalars), before the updates of step `t`. */
  protected prepareStep(_lr: number, _t: number): void {}

  /** Applies one update to every parameter that has a gradient. */
  step(): void {
    if (this.options.clipValue !== undefined) clipGradValue(this.params, this.options.clipValue);
    if (this.options.clipNorm !== undefined) clipGradNorm(this.params, this.options.clipNorm);
    const lr = this.currentLearningRate;
    const t = this.iterations + 1;
    const recorder = traceRecorder();
    if (recorder) {
      const why = this.replayRefusal();
      if (why) recorder.refuse(`${this.constructor.name}.step()`, why);
      // A replay skips this method: it advances the count and refreshes the per-step numbers itself.
      recorder.onReplay(() => {
        this.prepareStep(this.currentLearningRate, this.iterations + 1);
        this.iterations += 1;
      });
    }
    this.prepareStep(lr, t);
    const decay = lr * (this.options.weightDecay ?? this.defaultWeightDecay);
    noGrad(() =>
      scope(() => {
        for (const p of this.params) {
          if (!p.grad) continue;
          if (decay) p.assign(sub(p, mul(p, decay)));
          this.update(p, p.grad, lr, t);
        }
      }),
    );
    this.iterations = t;
  }

  /** One parameter's update at step `t` (1-based), written with ops and `assign`. */
  protected abstract update(param: Tensor, grad: Tensor, lr: number, t: number): void;

  /** Hyper-parameters, for model files. */
  getConfig(): OptimizerConfig {
    const config: Record<string, OptimizerConfigValue> = {};
    for (const [key, value] of Object.entries(this.options)) {
      if (value instanceof LearningRateSchedule) config[key] = value.getConfig();
      else if (typeof value === 'number' || typeof value === 'boolean') config[key] = value;
    }
    config['learningRate'] = typeof this.learningRate === 'number' ? this.learningRate : this.learningRate.getConfig();
    return { className: this.constructor.name, config };
  }

  stateDict(): OptimizerState {
    const slots: Record<string, Tensor> = {};
    this.params.forEach((p, i) => {
      for (const [name, s] of this.slots.get(p) ?? []) slots[`${i}.${name}`] = s;
    });
    return { iterations: this.iterations, slots };
  }

  /** Restores step count and slots saved by `stateDict` for the same parameters in the same order. */
  loadStateDict(state: OptimizerState): void {
    for (const [key, value] of Object.entries(state.slots)) {
      const [index, name] = [Number(key.slice(0, key.indexOf('.'))), key.slice(key.indexOf('.') + 1)];
      const param = this.params[index];
      if (!param || !name) throw new ValueError(`${this.constructor.name}.loadStateDict: slot '${key}' names no parameter (this optimizer has ${this.params.length})`);
      const target = this.slot(param, name);
      noGrad(() => target.assign(value.clone()));
    }
    this.iterations = state.iterations;
  }
}

/** Rebuilds the learning rate of a config (a number or a schedule config). */
export function learningRateFromConfig(value: OptimizerConfigValue | undefined): number | LearningRateSchedule | undefined {
  if (value === undefined || typeof value === 'number') return value;
  if (typeof value === 'boolean') throw new ValueError('learningRate must be a number or a schedule');
  return scheduleFromConfig(value);
}
