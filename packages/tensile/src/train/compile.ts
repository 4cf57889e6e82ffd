/** What `model.compile()` resolves: optimizer, loss and metrics objects from names or objects. */
import { ValueError } from '../errors.js';
import { checkOptions, optionNames } from '../options.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Optimizer } from '../optim/optimizer.js';
import { optimizerByName, type OptimizerName } from '../optim/registry.js';
import { FunctionLoss, Loss, lossByName, type LossName } from './losses.js';
import type { Metric } from './metrics/metric.js';
import { metricByName, type MetricName } from './metrics/registry.js';

export interface CompileOptions {
  readonly optimizer: Optimizer | OptimizerName;
  /** A loss object, a Keras name, or a function `(predictions, targets) => loss`. */
  readonly loss: Loss | LossName | ((predictions: Tensor, targets: Tensor) => Tensor);
  readonly metrics?: readonly (Metric | MetricName)[];
  /**
   * Run fit/evaluate/predict through compiled graphs (`jit`): each step is traced once per batch
   * shape and replayed (default false). See README "When to compile and what it cannot trace".
   */
  readonly jit?: boolean;
}

export interface CompiledModel {
  readonly optimizer: Optimizer;
  readonly loss: Loss;
  readonly metrics: readonly Metric[];
  readonly jit: boolean;
}

/** The parameters are attached to the optimizer when training starts (the model may build lazily). */
const COMPILE_OPTIONS = optionNames<CompileOptions>()('optimizer', 'loss', 'metrics', 'jit');

export function compileModel(options: CompileOptions): CompiledModel {
  checkOptions('compile', options, COMPILE_OPTIONS);
  const optimizer = typeof options.optimizer === 'string' ? optimizerByName(options.optimizer) : options.optimizer;
  const loss = typeof options.loss === 'string' ? lossByName(options.loss) : options.loss instanceof Loss ? options.loss : new FunctionLoss(options.loss);
  const metrics = (options.metrics ?? []).map((m) => (typeof m === 'string' ? metricByName(m) : m));
  if (options.jit !== undefined && typeof options.jit !== 'boolean') throw new ValueError(`compile: jit must be true or false, got ${String(options.jit)}`);
  return { optimizer, loss, metrics, jit: options.jit ?? false };
}
