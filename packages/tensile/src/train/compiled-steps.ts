/**
 * The compiled steps of `model.compile({ jit: true })`: the training step (forward, loss,
 * backward, optimizer update) and the inference forward pass as `jit` functions, one per model,
 * input count and use of sample weights. Metrics and the loss's host read stay outside the graph.
 */
import { add } from '../ops/arithmetic.js';
import { type CompiledFunction, type CompiledGraph, jit } from '../graph/compile.js';
import type { Tensor } from '../tensor/tensor.js';
import type { AnyModel } from './callbacks/callback.js';
import type { CompiledModel } from './compile.js';
import { TrainingError } from './errors.js';

type Step = CompiledFunction<Tensor[]>;

const perModel = new WeakMap<CompiledModel, Map<string, Step>>();

function cached(compiled: CompiledModel, key: string, make: () => Step): Step {
  let steps = perModel.get(compiled);
  if (!steps) perModel.set(compiled, (steps = new Map()));
  let step = steps.get(key);
  if (!step) steps.set(key, (step = make()));
  return step;
}

function forwardOne(model: AnyModel, xs: readonly Tensor[], single: boolean, what: string): Tensor {
  const predictions = model.forward(single ? xs[0]! : xs);
  if (Array.isArray(predictions)) throw new TrainingError(`${what}: model '${model.name}' has ${predictions.length} outputs; jit supports single-output models`);
  return predictions;
}

/** The compiled training step: (...x, y[, sampleWeight]) → [total loss, predictions]. */
export function compiledTrainStep(model: AnyModel, compiled: CompiledModel, inputs: number, single: boolean, weighted: boolean): Step {
  return cached(compiled, `train ${inputs} ${single} ${weighted}`, () =>
    jit(
      (...args: Tensor[]): Tensor[] => {
        const predictions = forwardOne(model, args.slice(0, inputs), single, 'fit');
        const dataLoss = compiled.loss.forward(predictions, args[inputs]!, weighted ? args[inputs + 1] : undefined);
        const total = model.regularizationLosses().reduce((a, b) => add(a, b), dataLoss);
        compiled.optimizer.zeroGrad();
        total.backward();
        compiled.optimizer.step();
        compiled.optimizer.zeroGrad();
        return [total, predictions];
      },
      { name: `${model.name}.trainStep` },
    ),
  );
}

/** The compiled inference pass: (...x) → [predictions]; called under noGrad in eval mode. */
export function compiledForward(model: AnyModel, compiled: CompiledModel, inputs: number, single: boolean): Step {
  return cached(compiled, `forward ${inputs} ${single}`, () =>
    jit((...xs: Tensor[]): Tensor[] => [forwardOne(model, xs, single, 'predict')], { name: `${model.name}.forward` }),
  );
}

/** The graphs a model compiled with `jit: true` has traced so far (training steps first, then inference), for inspection. */
export function jitGraphs(model: AnyModel): CompiledGraph[] {
  const steps = model.compiled ? perModel.get(model.compiled) : undefined;
  return [...(steps?.values() ?? [])].flatMap((step) => step.graphs);
}
