/**
 * `tensile study mnist-activations`: the activation comparison of Ertam & Aydın. For each activation
 * and seed, the CNN trains with Adam (batch 64) and is scored at each listed iteration count on a
 * validation split carved from the training set (used for model selection only) and on the test set.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { type ActivationName, Adam, CosineDecay, gather, Generator, getBackend, labeledImageTensors, type LabeledImageTensors, manualSeed, scope, SparseCategoricalCrossentropy, tensor, ValueError, yieldToEventLoop } from 'tensile';
import { dataRoot, mnist, writeFileAtomic } from 'tensile/node';
import { lineChart, writeChart } from '../report/charts.node.js';
import { commandLine, describeMachine, machineInfo, type MachineInfo } from '../report/machine.node.js';
import { markdownTable, mean, percentMeanStd, std } from '../report/stats.js';
import { mnistCnn } from './model.js';

export const STUDY_ACTIVATIONS: readonly ActivationName[] = ['relu', 'tanh', 'elu', 'sigmoid', 'softplus', 'softsign'];
export const DEFAULT_ITERATIONS: readonly number[] = [100, 250, 500, 1000, 2000, 4000, 6000];
// Chosen on the validation split with ReLU, seed 1 (docs/mnist-activations/NOTES.md).
export const DEFAULT_STUDY_LEARNING_RATE = 3e-3;
export const DEFAULT_STUDY_DROPOUT = 0.5;
/** The JS heap a study worker starts with (MB): collections stay rare while its tensors churn. */
const WORKER_INITIAL_HEAP_MB = 256;
/** Digits per evaluation batch: 100 keeps conv2's patch matrix (14 MB) in cache; 500 was 20% slower. */
const EVALUATION_BATCH = 100;

export interface StudyOptions {
  readonly iterations?: readonly number[];
  readonly seeds?: number;
  readonly activations?: readonly ActivationName[];
  readonly batchSize?: number;
  readonly learningRate?: number;
  readonly dropout?: number;
  /** Training digits held out for model selection (default 5,000). */
  readonly validationSize?: number;
  /** Use only the first N training digits (before the validation split) / test digits. */
  readonly trainLimit?: number;
  readonly testLimit?: number;
  /** Runs trained side by side, each on its own worker thread with the backend's threads shared out (default 1: in this thread). */
  readonly workers?: number;
  readonly out: string;
  /** Called after every checkpoint (progress display). */
  readonly onCheckpoint?: (done: number, total: number, run: RunResult) => void;
}

export interface Checkpoint {
  readonly iteration: number;
  readonly validationAccuracy: number;
  readonly testAccuracy: number;
  readonly trainLoss: number;
}

export interface RunResult {
  readonly activation: ActivationName;
  readonly seed: number;
  readonly checkpoints: Checkpoint[];
  /** The checkpoint with the best validation accuracy (ties: the earlier one). */
  selected: Checkpoint | null;
  seconds: number;
}

export interface StudyResult {
  readonly iterations: readonly number[];
  readonly seeds: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly dropout: number;
  readonly trainSamples: number;
  readonly validationSamples: number;
  readonly testSamples: number;
  /** Runs trained side by side, and the kernel threads of each. */
  readonly workers: number;
  readonly threadsPerWorker: number;
  readonly runs: RunResult[];
  readonly machine: MachineInfo;
  readonly command: string;
  readonly totalSeconds: number;
}

function checkIterations(iterations: readonly number[]): number[] {
  const list = [...iterations].sort((a, b) => a - b);
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n <= 0) || new Set(list).size !== list.length) {
    throw new ValueError(`study: iterations must be distinct positive integers, got ${iterations.join(',')}`);
  }
  return list;
}

/** The digits a study trains on, selects with and scores on. */
export interface StudyData {
  readonly fit: LabeledImageTensors;
  readonly validation: LabeledImageTensors;
  readonly test: LabeledImageTensors;
}

/** What a worker needs to rebuild the study's data and train any of its runs. */
export interface StudySetup {
  readonly iterations: readonly number[];
  readonly batchSize: number;
  /** Adam's initial rate, decaying by a cosine to 1% of it at the last iteration count. */
  readonly learningRate: number;
  /** Dropout rate before the classifier (0: none). */
  readonly dropout: number;
  readonly validationSize: number;
  readonly trainLimit?: number;
  readonly testLimit?: number;
}

export async function loadStudyData(setup: StudySetup): Promise<StudyData> {
  const { train, test } = await mnist();
  const available = Math.min(setup.trainLimit ?? train.labels.length, train.labels.length);
  if (!(setup.validationSize > 0 && setup.validationSize < available)) {
    throw new ValueError(`study: validationSize ${setup.validationSize} must be between 1 and the ${available} training digits minus one`);
  }
  // The validation digits are the last ones of the training file; the test file is only scored.
  return {
    fit: labeledImageTensors(train, 0, available - setup.validationSize),
    validation: labeledImageTensors(train, available - setup.validationSize, available),
    test: labeledImageTensors(test, 0, Math.min(setup.testLimit ?? test.labels.length, test.labels.length)),
  };
}

/** One activation × seed: trains with Adam and scores at every listed iteration count. */
export async function trainStudyRun(
  setup: StudySetup, data: StudyData, activation: ActivationName, seed: number, onCheckpoint: (run: RunResult) => void,
): Promise<RunResult> {
  const runStart = performance.now();
  const { iterations, batchSize } = setup;
  const last = iterations[iterations.length - 1]!;
  manualSeed(seed);
  const shuffler = new Generator(seed);
  const model = mnistCnn(activation, setup.dropout);
  // The rate decays by a cosine over the longest run, so every run follows the same schedule.
  const learningRate = new CosineDecay({ initialLearningRate: setup.learningRate, decaySteps: last, alpha: 0.01 });
  model.compile({ optimizer: new Adam({ learningRate }), loss: new SparseCategoricalCrossentropy({ fromLogits: true }), metrics: ['accuracy'] });
  const run: RunResult = { activation, seed, checkpoints: [], selected: null, seconds: 0 };
  const n = data.fit.y.shape[0]!;
  let order: number[] = [];
  let lossSum = 0;
  let lossCount = 0;
  for (let step = 1; step <= last; step++) {
    if (order.length < batchSize) order = order.concat(shuffler.shuffle(Array.from({ length: n }, (_, i) => i)));
    // The batch's tensors are freed here, not left to the garbage collector: with the workers' large
    // JS heap it runs too rarely to keep up with 200 KB of WASM memory a step.
    const logs = scope(() => {
      const index = tensor(Int32Array.from(order.splice(0, batchSize)), [batchSize]);
      return model.trainOnBatch(gather(data.fit.x, index, 0), gather(data.fit.y, index, 0));
    });
    lossSum += logs['loss']!;
    lossCount++;
    await yieldToEventLoop();
    if (iterations.includes(step)) {
      const val = await model.evaluate(data.validation.x, data.validation.y, { batchSize: EVALUATION_BATCH });
      const tst = await model.evaluate(data.test.x, data.test.y, { batchSize: EVALUATION_BATCH });
      const checkpoint = { iteration: step, validationAccuracy: val['accuracy']!, testAccuracy: tst['accuracy']!, trainLoss: lossSum / lossCount };
      lossSum = 0;
      lossCount = 0;
      run.checkpoints.push(checkpoint);
      if (!run.selected || checkpoint.validationAccuracy > run.selected.validationAccuracy) run.selected = checkpoint;
      run.seconds = (performance.now() - runStart) / 1000;
      onCheckpoint(run);
    }
  }
  return run;
}

/** Messages from a study worker (study-worker.node.ts) to the study. */
export type WorkerMessage =
  | { readonly kind: 'ready' }
  | { readonly kind: 'checkpoint'; readonly run: RunResult }
  | { readonly kind: 'done'; readonly run: RunResult }
  | { readonly kind: 'error'; readonly message: string };

/** Data a study worker starts with. */
export interface WorkerSetup {
  readonly setup: StudySetup;
  readonly dataRoot: string | undefined;
}

/**
 * Trains the runs on `workers` worker threads, each taking the next run when it finishes one.
 * Several small runs side by side use the cores better than one run split across them.
 */
async function runOnWorkers(
  setup: StudySetup, jobs: readonly (readonly [ActivationName, number])[], workers: number, threadsPerWorker: number,
  onCheckpoint: (run: RunResult) => void,
): Promise<RunResult[]> {
  const queue = [...jobs];
  const runs: RunResult[] = [];
  const workerData: WorkerSetup = { setup, dataRoot: dataRoot() };
  // New isolates read this flag. With V8's small default limit, a worker whose WASM memory holds the
  // 55,000 digits ran a full mark-compact every ~4 steps; the concurrent marking took 16% more CPU
  // than the training and slowed the other run (two runs of 1,000 steps: 52 → 42 s each).
  setFlagsFromString(`--initial-heap-size=${WORKER_INITIAL_HEAP_MB}`);
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const worker = new Worker(new URL('./study-worker.node.js', import.meta.url), {
        workerData,
        env: { ...process.env, TENSILE_THREADS: String(threadsPerWorker) },
      });
      const next = (): void => {
        const job = queue.shift();
        if (job) worker.postMessage(job);
        else void worker.terminate().then(() => resolve());
      };
      worker.on('message', (message: WorkerMessage) => {
        if (message.kind === 'ready') next();
        else if (message.kind === 'checkpoint') onCheckpoint(message.run);
        else if (message.kind === 'done') {
          runs.push(message.run);
          next();
        } else {
          reject(new Error(`study worker: ${message.message}`));
          void worker.terminate();
        }
      });
      worker.on('error', reject);
    });
  await Promise.all(Array.from({ length: Math.min(workers, jobs.length) }, one));
  return runs;
}

export async function runStudy(options: StudyOptions): Promise<StudyResult> {
  const started = performance.now();
  const setup: StudySetup = {
    iterations: checkIterations(options.iterations ?? DEFAULT_ITERATIONS),
    batchSize: options.batchSize ?? 64,
    learningRate: options.learningRate ?? DEFAULT_STUDY_LEARNING_RATE,
    dropout: options.dropout ?? DEFAULT_STUDY_DROPOUT,
    validationSize: options.validationSize ?? 5000,
    ...(options.trainLimit !== undefined ? { trainLimit: options.trainLimit } : {}),
    ...(options.testLimit !== undefined ? { testLimit: options.testLimit } : {}),
  };
  const seeds = options.seeds ?? 3;
  const activations = options.activations ?? STUDY_ACTIVATIONS;
  const jobs = activations.flatMap((activation) => Array.from({ length: seeds }, (_, i) => [activation, i + 1] as const));
  const workers = Math.max(1, Math.min(options.workers ?? 1, jobs.length));
  const total = jobs.length * setup.iterations.length;
  let done = 0;
  const onCheckpoint = (run: RunResult): void => options.onCheckpoint?.(++done, total, run);
  // The data is loaded here in any case: it checks the setup before workers start, and gives the counts.
  const data = await loadStudyData(setup);
  let runs: RunResult[];
  // The threads the backend was given (--threads, else one per core) are shared out among the workers.
  const threads = getBackend().memory()['threads'] ?? 1;
  let threadsPerWorker = threads;
  if (workers === 1) {
    runs = [];
    for (const [activation, seed] of jobs) runs.push(await trainStudyRun(setup, data, activation, seed, onCheckpoint));
  } else {
    threadsPerWorker = Math.max(1, Math.floor(threads / workers));
    runs = await runOnWorkers(setup, jobs, workers, threadsPerWorker, onCheckpoint);
    const rank = (r: RunResult): number => activations.indexOf(r.activation) * seeds + r.seed;
    runs.sort((a, b) => rank(a) - rank(b));
  }
  const result: StudyResult = {
    iterations: setup.iterations,
    seeds,
    batchSize: setup.batchSize,
    learningRate: setup.learningRate,
    dropout: setup.dropout,
    trainSamples: data.fit.y.shape[0]!,
    validationSamples: data.validation.y.shape[0]!,
    testSamples: data.test.y.shape[0]!,
    workers,
    threadsPerWorker,
    runs,
    machine: machineInfo(),
    command: commandLine(),
    totalSeconds: (performance.now() - started) / 1000,
  };
  await writeStudyReport(result, options.out);
  return result;
}

/** Test accuracies of one activation at one iteration count, over seeds. */
function accuracies(result: StudyResult, activation: ActivationName, iteration: number): number[] {
  return result.runs
    .filter((r) => r.activation === activation)
    .map((r) => r.checkpoints.find((c) => c.iteration === iteration)!.testAccuracy);
}

function activationsOf(result: StudyResult): ActivationName[] {
  return [...new Set(result.runs.map((r) => r.activation))];
}

export function studyMarkdown(result: StudyResult): string {
  const acts = activationsOf(result);
  const table = markdownTable(
    ['activation', ...result.iterations.map((i) => `${i} it.`), 'selected by validation', 'iteration chosen', 's / run'],
    acts.map((a) => {
      const runs = result.runs.filter((r) => r.activation === a);
      return [
        a,
        ...result.iterations.map((i) => percentMeanStd(accuracies(result, a, i))),
        percentMeanStd(runs.map((r) => r.selected!.testAccuracy)),
        runs.map((r) => r.selected!.iteration).join(', '),
        mean(runs.map((r) => r.seconds)).toFixed(1),
      ];
    }),
  );
  const ranking = acts
    .map((a) => ({ a, acc: mean(result.runs.filter((r) => r.activation === a).map((r) => r.selected!.testAccuracy)) }))
    .sort((x, y) => y.acc - x.acc);
  return [
    '# MNIST activation study',
    '',
    `Test accuracy (%, mean ± std over ${result.seeds} seed${result.seeds > 1 ? 's' : ''}) of the benchmarks' MNIST CNN (bench/WORKLOADS.md) after each number of`,
    `Adam iterations (batch ${result.batchSize}, lr ${result.learningRate} decaying by a cosine to 1% of it at ${result.iterations[result.iterations.length - 1]} iterations${result.dropout > 0 ? `, dropout ${result.dropout} before the classifier` : ''}), per activation. "Selected" is the test accuracy at the checkpoint with the best`,
    `accuracy on ${result.validationSamples.toLocaleString('en-US')} validation digits held out from the training file; the ${result.testSamples.toLocaleString('en-US')} test`,
    `digits were never used for a choice. Training digits: ${result.trainSamples.toLocaleString('en-US')}.`,
    '',
    table,
    '',
    `Ranking by selected test accuracy: ${ranking.map((r) => `${r.a} ${(100 * r.acc).toFixed(2)}%`).join(' > ')}.`,
    '',
    '![accuracy vs iterations](accuracy.png)',
    '',
    `Machine: ${describeMachine(result.machine)}. ${runsAtATime(result)} Total wall time ${(result.totalSeconds / 60).toFixed(1)} min.`,
    '',
    'Reproduce with:',
    '',
    '```sh',
    result.command,
    '```',
    '',
  ].join('\n');
}

function runsAtATime(result: StudyResult): string {
  const threads = `${result.threadsPerWorker} kernel thread${result.threadsPerWorker > 1 ? 's' : ''}`;
  return result.workers > 1
    ? `${result.workers} runs trained side by side (one worker thread each, ${threads} per run); "s / run" is a run's wall time while sharing the machine.`
    : `One run at a time, ${threads}.`;
}

export async function writeStudyReport(result: StudyResult, out: string): Promise<void> {
  await mkdir(out, { recursive: true });
  const points = activationsOf(result).flatMap((a) =>
    result.iterations.map((i) => {
      const acc = accuracies(result, a, i);
      return { series: a, x: i, y: 100 * mean(acc), error: 100 * std(acc) };
    }),
  );
  await writeChart(
    lineChart(points, { title: 'MNIST CNN: test accuracy vs iterations', x: 'iterations (batch 64, log scale)', y: 'test accuracy (%)', logX: true }),
    path.join(out, 'accuracy'),
  );
  await writeFileAtomic(path.join(out, 'results.json'), new TextEncoder().encode(JSON.stringify(result, null, 2)));
  await writeFileAtomic(path.join(out, 'report.md'), new TextEncoder().encode(studyMarkdown(result)));
}
