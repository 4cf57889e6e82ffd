/**
 * A whole model in one safetensors buffer: the weights as tensors, the architecture and training
 * state (compile settings, optimizer step, random-generator state) as JSON in the metadata, and
 * the optimizer's slots as tensors named `optimizer/<parameter>/<slot>`. Browser-safe: bytes in,
 * bytes out; `files.node.ts` puts them on disk.
 */
import type { Model } from '../nn/model.js';
import type { Module } from '../nn/module.js';
import type { SymbolicTensor } from '../nn/symbolic.js';
import type { OptimizerConfig } from '../optim/optimizer.js';
import { optimizerFromConfig } from '../optim/registry.js';
import { globalGenerator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { FunctionLoss, type LossConfig, lossFromConfig } from '../train/losses.js';
import type { MetricConfig } from '../train/metrics/metric.js';
import { metricFromConfig } from '../train/metrics/registry.js';
import { type ArchitectureConfig, modelFromConfig, modelToConfig } from './architecture.js';
import { ModelFileError } from './errors.js';
import type { SafetensorsReadOptions } from './safetensors-format.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import { checkOptions, optionNames } from '../options.js';

type AnyModel = Model<SymbolicTensor | readonly SymbolicTensor[]>;

export const MODEL_KEY = 'tensile.model';
export const TRAINING_KEY = 'tensile.training';
const OPTIMIZER_PREFIX = 'optimizer/';

const SAVE_MODEL_OPTION_NAMES = optionNames<SaveModelOptions>()('includeOptimizer');

/** Compile settings and progress, enough to resume training. */
export interface TrainingState {
  readonly compile: { readonly optimizer: OptimizerConfig; readonly loss: LossConfig; readonly metrics: readonly MetricConfig[]; readonly jit?: boolean } | null;
  readonly iterations: number;
  /** The global generator's state (shuffling, dropout, augmentation). */
  readonly randomState: readonly (number | null)[];
}

export interface SaveModelOptions {
  /** Save optimizer slots and step count for resuming (default true). */
  readonly includeOptimizer?: boolean;
}

export interface LoadModelOptions extends SafetensorsReadOptions {
  /** Compile with the saved optimizer, loss and metrics, restoring the optimizer state (default true). */
  readonly compile?: boolean;
  /** Set the global random generator to its saved state, so a resumed run matches an uninterrupted one (default false). */
  readonly restoreRandomState?: boolean;
}

export function modelToBytes(model: AnyModel, options: SaveModelOptions = {}): Uint8Array {
  checkOptions('modelToBytes', options, SAVE_MODEL_OPTION_NAMES);
  const architecture = modelToConfig(model);
  const tensors: Record<string, Tensor> = { ...model.stateDict() };
  const compiled = model.compiled;
  const restorable = compiled && !(compiled.loss instanceof FunctionLoss) && (options.includeOptimizer ?? true);
  let training: TrainingState = { compile: null, iterations: 0, randomState: globalGenerator.getState().map((v) => (Number.isNaN(v) ? null : v)) };
  if (restorable) {
    const names = new Map(model.namedParameters().map(([name, p]) => [p, name]));
    const state = compiled.optimizer.stateDict();
    for (const [key, slot] of Object.entries(state.slots)) {
      const dot = key.indexOf('.');
      const param = compiled.optimizer.params[Number(key.slice(0, dot))]!;
      tensors[`${OPTIMIZER_PREFIX}${names.get(param) ?? key.slice(0, dot)}/${key.slice(dot + 1)}`] = slot;
    }
    training = {
      ...training,
      compile: { optimizer: compiled.optimizer.getConfig(), loss: compiled.loss.getConfig(), metrics: compiled.metrics.map((m) => m.getConfig()), ...(compiled.jit && { jit: true }) },
      iterations: state.iterations,
    };
  }
  return encodeSafetensors(tensors, { format: 'pt', [MODEL_KEY]: JSON.stringify(architecture), [TRAINING_KEY]: JSON.stringify(training) });
}

function parseJson<T>(text: string | undefined, file: string, what: string): T {
  if (text === undefined) throw new ModelFileError(file, `has no '${what}' metadata: it is a safetensors file but not a Tensile model (use loadWeights for weights only)`);
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new ModelFileError(file, `the '${what}' metadata is not valid JSON (${(e as Error).message})`);
  }
}

const LOAD_MODEL_OPTION_NAMES = optionNames<LoadModelOptions>()('compile', 'restoreRandomState', 'skipChecksum');

/** Errors from rebuilding are reported against the file. */
function inFile<T>(file: string, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ModelFileError) throw e;
    throw new ModelFileError(file, `${what}: ${(e as Error).message}`);
  }
}

export function modelFromBytes(bytes: Uint8Array, file: string, options: LoadModelOptions = {}): AnyModel {
  checkOptions('modelFromBytes', options, LOAD_MODEL_OPTION_NAMES);
  const { tensors, metadata } = decodeSafetensors(bytes, file, { skipChecksum: options.skipChecksum });
  const architecture = parseJson<ArchitectureConfig>(metadata[MODEL_KEY], file, MODEL_KEY);
  const training = parseJson<TrainingState>(metadata[TRAINING_KEY] ?? 'null', file, TRAINING_KEY);
  const model = inFile(file, 'cannot rebuild the architecture', () => modelFromConfig(architecture));
  const weights = Object.fromEntries(Object.entries(tensors).filter(([k]) => !k.startsWith(OPTIMIZER_PREFIX)));
  inFile(file, 'the weights do not fit the architecture', () => model.loadStateDict(weights));
  if ((options.compile ?? true) && training?.compile) {
    const c = training.compile;
    inFile(file, 'cannot restore the training configuration', () => {
      model.compile({ optimizer: optimizerFromConfig(c.optimizer), loss: lossFromConfig(c.loss), metrics: c.metrics.map(metricFromConfig), jit: c.jit ?? false });
      const optimizer = model.compiled!.optimizer.attach(model.parameters());
      const index = new Map(model.namedParameters().map(([name], i) => [name, i]));
      const slots: Record<string, Tensor> = {};
      for (const [key, value] of Object.entries(tensors)) {
        if (!key.startsWith(OPTIMIZER_PREFIX)) continue;
        const rest = key.slice(OPTIMIZER_PREFIX.length);
        const cut = rest.lastIndexOf('/');
        const i = index.get(rest.slice(0, cut));
        if (i === undefined) throw new ModelFileError(file, `optimizer slot '${key}' belongs to no parameter of the model`);
        slots[`${i}.${rest.slice(cut + 1)}`] = value;
      }
      optimizer.loadStateDict({ iterations: training.iterations, slots });
    });
  }
  if (options.restoreRandomState && training) globalGenerator.setState(training.randomState.map((v) => v ?? Number.NaN));
  return model;
}

/** Parameters and buffers of any module (a PyTorch-style state dict) as safetensors bytes. */
export function weightsToBytes(module: Module): Uint8Array {
  return encodeSafetensors(module.stateDict(), { format: 'pt' });
}

const LOAD_WEIGHTS_OPTION_NAMES = optionNames<LoadWeightsOptions>()('strict', 'skipChecksum');

/** Loads weights saved by `weightsToBytes` (or any safetensors file with matching names). */
export interface LoadWeightsOptions extends SafetensorsReadOptions {
  /** Every parameter and buffer must be in the file, and nothing else (default true). */
  readonly strict?: boolean;
}

export function loadWeightsFromBytes(module: Module, bytes: Uint8Array, file: string, options: LoadWeightsOptions = {}): void {
  checkOptions('loadWeightsFromBytes', options, LOAD_WEIGHTS_OPTION_NAMES);
  const { tensors } = decodeSafetensors(bytes, file, { skipChecksum: options.skipChecksum });
  const weights = Object.fromEntries(Object.entries(tensors).filter(([k]) => !k.startsWith(OPTIMIZER_PREFIX)));
  inFile(file, 'the weights do not fit the module', () => module.loadStateDict(weights, { strict: options.strict }));
}
