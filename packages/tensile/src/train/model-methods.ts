/**
 * Keras' training methods of Model (compile, fit, evaluate, predict, trainOnBatch): declared on Model
 * by module augmentation and attached to its prototype here, so that `nn/` does not import
 * training. Loaded by `train/index.ts`, hence by every entry point.
 */
import { Model, type ModelOutput, type Outputs } from '../nn/model.js';
import type { SymbolicTensor } from '../nn/symbolic.js';
import type { Tensor } from '../tensor/tensor.js';
import type { AnyModel, Logs } from './callbacks/callback.js';
import type { History } from './callbacks/history.js';
import { type CompileOptions, type CompiledModel, compileModel } from './compile.js';
import { type EvaluateOptions, type FitData, type FitOptions, type PredictOptions, evaluateModel, fitModel, predictModel, trainOnBatch } from './fit.js';

/** Model methods that train and run it, Keras style. */
export interface ModelTrainingMethods<O extends Outputs> {
  /** Sets the optimizer, loss and metrics used by fit/evaluate. */
  compile(options: CompileOptions): void;
  /** Trains on tensors `x`, `y`, or on a (async) iterable of `{x, y}` batches. */
  fit(x: Tensor | readonly Tensor[], y: Tensor, options?: FitOptions): Promise<History>;
  fit(data: FitData, options?: FitOptions): Promise<History>;
  /** Loss and metrics on data, in inference mode. */
  evaluate(x: Tensor | readonly Tensor[], y: Tensor, options?: EvaluateOptions): Promise<Logs>;
  evaluate(data: FitData, options?: EvaluateOptions): Promise<Logs>;
  /** Outputs for `x` in inference mode, computed in batches without recording gradients. */
  predict(x: Tensor | readonly Tensor[], options?: PredictOptions): ModelOutput<O>;
  /** One optimisation step on one batch; returns the loss and metrics of that batch. */
  trainOnBatch(x: Tensor | readonly Tensor[], y: Tensor, sampleWeight?: Tensor): Logs;
}

declare module '../nn/model.js' {
  interface Model<O extends Outputs = SymbolicTensor> extends ModelTrainingMethods<O> {
    /** Set by `compile()`; null before. */
    compiled: CompiledModel | null;
  }
}

const methods: ModelTrainingMethods<Outputs> & ThisType<AnyModel> = {
  compile(options) {
    this.compiled = compileModel(options);
  },
  fit(x: Tensor | readonly Tensor[] | FitData, yOrOptions?: Tensor | FitOptions, options?: FitOptions) {
    return fitModel(this, x, yOrOptions, options);
  },
  evaluate(x: Tensor | readonly Tensor[] | FitData, yOrOptions?: Tensor | EvaluateOptions, options?: EvaluateOptions) {
    return evaluateModel(this, x, yOrOptions, options);
  },
  predict(x, options = {}) {
    return predictModel(this, x, options);
  },
  trainOnBatch(x, y, sampleWeight) {
    return trainOnBatch(this, x, y, sampleWeight);
  },
};

// Non-enumerable, like the methods a class body defines.
for (const [name, value] of Object.entries(methods)) {
  Object.defineProperty(Model.prototype, name, { value, writable: true, configurable: true });
}
Object.defineProperty(Model.prototype, 'compiled', { value: null, writable: true, configurable: true });
