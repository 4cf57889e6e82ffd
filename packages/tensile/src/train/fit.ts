/**
 * Keras' training loop: fit, evaluate, predict and trainOnBatch for any Model. Each step runs in a
 * `scope()` so memory stays flat; shuffling uses the global generator, so `manualSeed` makes a run
 * reproducible and a checkpoint that saves the generator state can resume it exactly.
 */
import { checkOptions, optionNames } from '../options.js';
import { noGrad } from '../autograd/graph.js';
import { tensorBatches } from '../data/tensor-batches.js';
import { ready } from '../backend/registry.js';
import { yieldToEventLoop } from '../backend/yield.js';
import { ValueError } from '../errors.js';
import { add } from '../ops/arithmetic.js';
import { concat } from '../ops/concat.js';
import { tensor } from '../ops/creation.js';
import { gather } from '../ops/gather.js';
import { scope } from '../tensor/lifetime.js';
import { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';
import { type AnyModel, Callback, CallbackList, type Logs } from './callbacks/callback.js';
import { History } from './callbacks/history.js';
import { TerminateOnNaN } from './callbacks/terminate-on-nan.js';
import { progressReporter } from './callbacks/progress.js';
import type { CompiledModel } from './compile.js';
import { NonFiniteLossError, TrainingError } from './errors.js';
import { Mean } from './metrics/metric.js';
import { compiledForward, compiledTrainStep } from './compiled-steps.js';

/** One batch: inputs (one tensor per model input), targets and optional per-sample weights. */
export interface Batch {
  readonly x: Tensor | readonly Tensor[];
  readonly y: Tensor;
  readonly sampleWeight?: Tensor;
}

/** Batches from a data pipeline (the data module's `Dataset` is one) or any (async) iterable. */
export type FitData = AsyncIterable<Batch> | Iterable<Batch>;

export interface EvaluateOptions {
  /** Batch size when data are tensors (default 32). */
  readonly batchSize?: number;
}

export type PredictOptions = EvaluateOptions;

export interface FitOptions extends EvaluateOptions {
  /** Train until this epoch (default 1); with `initialEpoch`, the count continues from there. */
  readonly epochs?: number;
  /** Epoch to start at (resuming from a checkpoint). */
  readonly initialEpoch?: number;
  /** Reshuffle tensor data every epoch (default true). */
  readonly shuffle?: boolean;
  /** Data to evaluate after every epoch ([x, y] tensors or batches); logged as val_*. */
  readonly validationData?: readonly [Tensor | readonly Tensor[], Tensor] | FitData;
  /** Hold out this fraction of the tensor data (its end, before shuffling) for validation. */
  readonly validationSplit?: number;
  /** Weight of each class in the loss: { 0: 1, 1: 5 }. */
  readonly classWeight?: Readonly<Record<number, number>>;
  readonly callbacks?: readonly Callback[];
  /** 0 silent, 1 progress bar (plain lines when not a TTY), 2 one line per epoch. Default 1. */
  readonly verbose?: 0 | 1 | 2;
  /** Throw NonFiniteLossError when the loss becomes NaN/Inf (default true, false when a TerminateOnNaN callback is given). */
  readonly stopOnNonFiniteLoss?: boolean;
}

const EVALUATE_OPTIONS = optionNames<EvaluateOptions>()('batchSize');
const FIT_OPTIONS = optionNames<FitOptions>()(
  'batchSize', 'epochs', 'initialEpoch', 'shuffle', 'validationData', 'validationSplit', 'classWeight', 'callbacks', 'verbose', 'stopOnNonFiniteLoss',
);

function inputsOf(x: Tensor | readonly Tensor[]): readonly Tensor[] {
  return x instanceof Tensor ? [x] : x;
}

function requireCompiled(model: AnyModel, what: string): CompiledModel {
  if (!model.compiled) throw new TrainingError(`${what}: model '${model.name}' is not compiled; call model.compile({ optimizer, loss }) first`);
  return model.compiled;
}

function isBatchData(value: unknown): value is FitData {
  return value !== null && typeof value === 'object' && !(value instanceof Tensor) && !Array.isArray(value) && (Symbol.asyncIterator in value || Symbol.iterator in value);
}

/** A source of batches that can be iterated once per epoch. */
interface BatchSource {
  readonly steps: number | null;
  batches(shuffle: boolean): AsyncIterable<Batch> | Iterable<Batch>;
}

function tensorSource(x: readonly Tensor[], y: Tensor, batchSize: number): BatchSource {
  const n = y.shape[0]!;
  x.forEach((t, i) => {
    if (t.shape[0] !== n) throw new ValueError(`fit: input ${i} has ${t.shape[0]} samples ${formatShape(t.shape)} but targets have ${n} ${formatShape(y.shape)}`);
  });
  if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new ValueError(`fit: batchSize must be a positive integer, got ${batchSize}`);
  return { steps: Math.ceil(n / batchSize), batches: (shuffle: boolean) => tensorBatches(x, y, batchSize, shuffle) };
}

function dataSource(data: FitData): BatchSource {
  return { steps: null, batches: () => data };
}

/** Per-sample weights from class weights and the labels (integer or one-hot). */
function classWeights(y: Tensor, weights: Readonly<Record<number, number>>): Tensor {
  const n = y.shape[0]!;
  const values = y.dataSync();
  const perRow = y.size / n;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let label = values[i * perRow]!;
    if (perRow > 1) {
      label = 0;
      for (let c = 1; c < perRow; c++) if (values[i * perRow + c]! > values[i * perRow + label]!) label = c;
    } else if (!Number.isInteger(label)) label = label > 0.5 ? 1 : 0;
    out[i] = weights[label] ?? 1;
  }
  return tensor(out, [n]);
}

/** Splits tensors into training and held-out validation parts (the last `fraction`). */
function splitValidation(x: readonly Tensor[], y: Tensor, fraction: number): [readonly Tensor[], Tensor, readonly Tensor[], Tensor] {
  if (!(fraction > 0 && fraction < 1)) throw new ValueError(`fit: validationSplit must be in (0, 1), got ${fraction}`);
  const n = y.shape[0]!;
  const cut = Math.floor(n * (1 - fraction));
  if (cut === 0 || cut === n) throw new ValueError(`fit: validationSplit ${fraction} of ${n} samples leaves an empty part`);
  const range = (a: number, b: number): Tensor => tensor(Int32Array.from({ length: b - a }, (_, i) => a + i), [b - a]);
  const [head, tail] = [range(0, cut), range(cut, n)];
  return [x.map((t) => gather(t, head, 0)), gather(y, head, 0), x.map((t) => gather(t, tail, 0)), gather(y, tail, 0)];
}

function singleOutput(model: AnyModel, predictions: Tensor | Tensor[], what: string): Tensor {
  if (Array.isArray(predictions)) throw new TrainingError(`${what}: model '${model.name}' has ${predictions.length} outputs; training supports single-output models`);
  return predictions;
}

/** Makes sure the model is built and the optimizer holds its parameters. */
function prepare(model: AnyModel, compiled: CompiledModel, sample: readonly Tensor[]): void {
  if (!model.built) noGrad(() => scope(() => void model.forward(sample.map((t) => gather(t, tensor(new Int32Array([0]), [1]), 0)))));
  if (compiled.optimizer.params.length === 0) compiled.optimizer.attach(model.parameters());
}

interface StepResult {
  readonly loss: number;
}

/** Forward, loss (+ regularisation), backward, optimizer step, metric updates; all inside one scope. */
function trainStep(model: AnyModel, compiled: CompiledModel, batch: Batch, onNonFinite: (loss: number) => void): StepResult {
  if (compiled.jit) return compiledStep(model, compiled, batch, onNonFinite);
  return scope(() => {
    const predictions = singleOutput(model, model.forward(batch.x), 'fit');
    const dataLoss = compiled.loss.forward(predictions, batch.y, batch.sampleWeight);
    const total = model.regularizationLosses().reduce((a, b) => add(a, b), dataLoss);
    const loss = total.item();
    if (!Number.isFinite(loss)) onNonFinite(loss);
    compiled.optimizer.zeroGrad();
    total.backward();
    compiled.optimizer.step();
    compiled.optimizer.zeroGrad();
    noGrad(() => compiled.metrics.forEach((m) => m.update(predictions, batch.y)));
    return { loss };
  });
}

/**
 * The same step through the compiled graph. The loss is read after the update (a graph cannot stop
 * halfway), so a non-finite loss is reported after the step that produced it was applied.
 */
function compiledStep(model: AnyModel, compiled: CompiledModel, batch: Batch, onNonFinite: (loss: number) => void): StepResult {
  return scope(() => {
    const xs = inputsOf(batch.x);
    const step = compiledTrainStep(model, compiled, xs.length, batch.x instanceof Tensor, batch.sampleWeight !== undefined);
    const [total, predictions] = step(...xs, batch.y, ...(batch.sampleWeight ? [batch.sampleWeight] : []));
    const loss = total!.item();
    if (!Number.isFinite(loss)) onNonFinite(loss);
    noGrad(() => compiled.metrics.forEach((m) => m.update(predictions!, batch.y)));
    return { loss };
  });
}

/** The model's outputs for one batch in inference mode (compiled when the model is compiled with jit). */
function inferenceForward(model: AnyModel, compiled: CompiledModel | null, x: Tensor | readonly Tensor[]): Tensor | Tensor[] {
  if (!compiled?.jit) return model.forward(x);
  const xs = inputsOf(x);
  return compiledForward(model, compiled, xs.length, x instanceof Tensor)(...xs)[0]!;
}

function metricLogs(compiled: CompiledModel, lossMean: Mean, prefix = ''): Logs {
  const logs: Logs = { [`${prefix}loss`]: lossMean.result() };
  for (const m of compiled.metrics) logs[prefix + m.name] = m.result();
  return logs;
}

async function runEvaluation(model: AnyModel, compiled: CompiledModel, source: BatchSource, prefix: string): Promise<Logs> {
  const lossMean = new Mean();
  compiled.metrics.forEach((m) => m.reset());
  const wasTraining = model.training;
  model.eval();
  try {
    for await (const batch of source.batches(false)) {
      const loss = noGrad(() =>
        scope(() => {
          const predictions = singleOutput(model, inferenceForward(model, compiled, batch.x), 'evaluate');
          compiled.metrics.forEach((m) => m.update(predictions, batch.y));
          return compiled.loss.forward(predictions, batch.y, batch.sampleWeight).item();
        }),
      );
      lossMean.add(loss, batch.y.shape[0] ?? 1);
    }
  } finally {
    model.train(wasTraining);
  }
  return metricLogs(compiled, lossMean, prefix);
}

function sourceOf(x: Tensor | readonly Tensor[] | FitData, y: Tensor | undefined, batchSize: number, what: string): BatchSource {
  if (isBatchData(x)) return dataSource(x);
  if (!y) throw new ValueError(`${what}: targets y are required with tensor inputs`);
  return tensorSource(inputsOf(x), y, batchSize);
}

function splitArgs<O>(yOrOptions: Tensor | O | undefined, options: O | undefined): [Tensor | undefined, O] {
  return yOrOptions instanceof Tensor ? [yOrOptions, options ?? ({} as O)] : [undefined, yOrOptions ?? options ?? ({} as O)];
}

export async function fitModel(model: AnyModel, x: Tensor | readonly Tensor[] | FitData, yOrOptions?: Tensor | FitOptions, maybeOptions?: FitOptions): Promise<History> {
  const compiled = requireCompiled(model, 'fit');
  const [yGiven, options] = splitArgs(yOrOptions, maybeOptions);
  checkOptions('fit', options, FIT_OPTIONS);
  const batchSize = options.batchSize ?? 32;
  let source: BatchSource;
  let validation: BatchSource | null = null;
  if (isBatchData(x)) {
    if (options.validationSplit !== undefined) throw new ValueError('fit: validationSplit needs tensor data; give validationData for datasets');
    source = dataSource(x);
  } else {
    if (!yGiven) throw new ValueError('fit: targets y are required with tensor inputs');
    let [xs, y] = [inputsOf(x), yGiven];
    if (options.validationSplit !== undefined) {
      const [xt, yt, xv, yv] = splitValidation(xs, y, options.validationSplit);
      [xs, y] = [xt, yt];
      validation = tensorSource(xv, yv, batchSize);
    }
    source = tensorSource(xs, y, batchSize);
    prepare(model, compiled, xs);
  }
  const vd = options.validationData;
  if (vd) validation = isBatchData(vd) ? dataSource(vd) : tensorSource(inputsOf(vd[0]), vd[1], batchSize);

  const history = new History();
  const verbose = options.verbose ?? 1;
  const callbacks = [...(options.callbacks ?? []), ...(verbose > 0 ? [progressReporter(verbose)] : []), history];
  const epochs = options.epochs ?? 1;
  for (const c of callbacks) {
    c.setModel(model);
    c.params = { epochs, steps: source.steps, verbose };
  }
  const list = new CallbackList(callbacks);
  // TerminateOnNaN stops at the bad batch itself, so it replaces the error unless one is asked for.
  const stopOnNonFinite = options.stopOnNonFiniteLoss ?? !callbacks.some((c) => c instanceof TerminateOnNaN);
  let lastFinite = Number.NaN;
  model.stopTraining = false;
  // Every step on the backend's full thread count: steps run while workers start would sum in another order.
  await ready();
  await list.trainBegin({});
  let lastLogs: Logs = {};
  for (let epoch = options.initialEpoch ?? 0; epoch < epochs && !model.stopTraining; epoch++) {
    await list.epochBegin(epoch);
    compiled.metrics.forEach((m) => m.reset());
    const lossMean = new Mean();
    model.train();
    let step = 0;
    for await (const raw of source.batches(options.shuffle ?? true)) {
      const batch = options.classWeight && !raw.sampleWeight ? { ...raw, sampleWeight: classWeights(raw.y, options.classWeight) } : raw;
      if (step === 0 && epoch === (options.initialEpoch ?? 0)) prepare(model, compiled, inputsOf(batch.x));
      await list.batchBegin(step);
      const { loss } = trainStep(model, compiled, batch, (bad) => {
        if (!stopOnNonFinite) return;
        throw new NonFiniteLossError(
          `fit: the loss became ${bad} at epoch ${epoch + 1}, batch ${step + 1} (optimizer step ${compiled.optimizer.iterations + 1}); ` +
            `the last finite loss was ${lastFinite}. Lower the learning rate, clip gradients or check the data; pass stopOnNonFiniteLoss: false to continue anyway.`,
          epoch,
          step,
          lastFinite,
        );
      });
      if (Number.isFinite(loss)) lastFinite = loss;
      lossMean.add(loss, batch.y.shape[0] ?? 1);
      await list.batchEnd(step, { ...metricLogs(compiled, lossMean), loss, batch: step, size: batch.y.shape[0] ?? 1 });
      await yieldToEventLoop();
      step++;
      if (model.stopTraining) break;
    }
    lastLogs = metricLogs(compiled, lossMean);
    if (validation) Object.assign(lastLogs, await runEvaluation(model, compiled, validation, 'val_'));
    await list.epochEnd(epoch, lastLogs);
  }
  await list.trainEnd(lastLogs);
  return history;
}

export async function evaluateModel(model: AnyModel, x: Tensor | readonly Tensor[] | FitData, yOrOptions?: Tensor | EvaluateOptions, maybeOptions?: EvaluateOptions): Promise<Logs> {
  const compiled = requireCompiled(model, 'evaluate');
  const [y, options] = splitArgs(yOrOptions, maybeOptions);
  checkOptions('evaluate', options, EVALUATE_OPTIONS);
  return runEvaluation(model, compiled, sourceOf(x, y, options.batchSize ?? 32, 'evaluate'), '');
}

/** Outputs in inference mode, batch by batch, joined along the batch axis. */
export function predictModel(model: AnyModel, x: Tensor | readonly Tensor[], options: PredictOptions = {}): Tensor | Tensor[] {
  checkOptions('predict', options, EVALUATE_OPTIONS);
  const xs = inputsOf(x);
  const n = xs[0]!.shape[0]!;
  const batchSize = options.batchSize ?? 32;
  const wasTraining = model.training;
  model.eval();
  try {
    const parts: (Tensor | Tensor[])[] = [];
    for (let start = 0; start < n; start += batchSize) {
      const index = tensor(Int32Array.from({ length: Math.min(batchSize, n - start) }, (_, i) => start + i), [Math.min(batchSize, n - start)]);
      parts.push(noGrad(() => scope(() => inferenceForward(model, model.compiled, xs.map((t) => gather(t, index, 0))))));
    }
    if (parts.length === 1) return parts[0]!;
    if (parts[0] instanceof Tensor) return concat(parts as Tensor[], 0);
    return (parts[0] as Tensor[]).map((_, k) => concat(parts.map((p) => (p as Tensor[])[k]!), 0));
  } finally {
    model.train(wasTraining);
  }
}

/** One training step on one batch; the metrics cover only this batch. */
export function trainOnBatch(model: AnyModel, x: Tensor | readonly Tensor[], y: Tensor, sampleWeight?: Tensor): Logs {
  const compiled = requireCompiled(model, 'trainOnBatch');
  prepare(model, compiled, inputsOf(x));
  compiled.metrics.forEach((m) => m.reset());
  model.train();
  const { loss } = trainStep(model, compiled, { x, y, ...(sampleWeight && { sampleWeight }) }, () => {});
  const mean = new Mean();
  mean.add(loss);
  return metricLogs(compiled, mean);
}
