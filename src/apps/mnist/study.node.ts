/**
 * `tensile study mnist-activations`: the activation comparison of Ertam & Aydın. For each activation
 * and seed, the CNN trains with Adam (batch 64) and is scored at each listed iteration count on a
 * validation split carved from the training set (used for model selection only) and on the test set.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { mnist } from '../../data/datasets/mnist.node.js';
import { ValueError } from '../../errors.js';
import type { ActivationName } from '../../ops/activations.js';
import { tensor } from '../../ops/creation.js';
import { gather } from '../../ops/gather.js';
import { Adam, CosineDecay } from '../../optim/index.js';
import { Generator, manualSeed } from '../../tensor/random.js';
import { SparseCategoricalCrossentropy } from '../../train/losses.js';
import { yieldToEventLoop } from '../../backend/yield.js';
import { writeFileAtomic } from '../../saving/files.node.js';
import { lineChart, writeChart } from '../report/charts.node.js';
import { commandLine, describeMachine, machineInfo, type MachineInfo } from '../report/machine.node.js';
import { markdownTable, mean, percentMeanStd, std } from '../report/stats.js';
import { digitTensors } from './data.js';
import { mnistCnn } from './model.js';

export const STUDY_ACTIVATIONS: readonly ActivationName[] = ['relu', 'tanh', 'elu', 'sigmoid', 'softplus', 'softsign'];
export const DEFAULT_ITERATIONS: readonly number[] = [100, 250, 500, 1000, 2000, 5000];

export interface StudyOptions {
  readonly iterations?: readonly number[];
  readonly seeds?: number;
  readonly activations?: readonly ActivationName[];
  readonly batchSize?: number;
  /** Training digits held out for model selection (default 5,000). */
  readonly validationSize?: number;
  /** Use only the first N training digits (before the validation split) / test digits. */
  readonly trainLimit?: number;
  readonly testLimit?: number;
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
  readonly trainSamples: number;
  readonly validationSamples: number;
  readonly testSamples: number;
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

export async function runStudy(options: StudyOptions): Promise<StudyResult> {
  const started = performance.now();
  const iterations = checkIterations(options.iterations ?? DEFAULT_ITERATIONS);
  const seeds = options.seeds ?? 3;
  const activations = options.activations ?? STUDY_ACTIVATIONS;
  const batchSize = options.batchSize ?? 64;
  const { train, test } = await mnist();
  const available = Math.min(options.trainLimit ?? train.labels.length, train.labels.length);
  const validationSize = options.validationSize ?? 5000;
  if (!(validationSize > 0 && validationSize < available)) {
    throw new ValueError(`study: validationSize ${validationSize} must be between 1 and the ${available} training digits minus one`);
  }
  // The validation digits are the last ones of the training file; the test file is only scored.
  const fitSet = digitTensors(train, 0, available - validationSize);
  const validation = digitTensors(train, available - validationSize, available);
  const testSet = digitTensors(test, 0, Math.min(options.testLimit ?? test.labels.length, test.labels.length));
  const n = fitSet.y.shape[0]!;
  const runs: RunResult[] = [];
  const total = activations.length * seeds * iterations.length;
  let done = 0;
  for (const activation of activations) {
    for (let seed = 1; seed <= seeds; seed++) {
      const runStart = performance.now();
      manualSeed(seed);
      const shuffler = new Generator(seed);
      const model = mnistCnn(activation);
      // The rate decays by a cosine over the longest run, so every run follows the same schedule.
      const learningRate = new CosineDecay({ initialLearningRate: 1e-3, decaySteps: iterations[iterations.length - 1]!, alpha: 0.01 });
      model.compile({ optimizer: new Adam({ learningRate }), loss: new SparseCategoricalCrossentropy({ fromLogits: true }), metrics: ['accuracy'] });
      const run: RunResult = { activation, seed, checkpoints: [], selected: null, seconds: 0 };
      let order: number[] = [];
      let lossSum = 0;
      let lossCount = 0;
      for (let step = 1; step <= iterations[iterations.length - 1]!; step++) {
        if (order.length < batchSize) order = order.concat(shuffler.shuffle(Array.from({ length: n }, (_, i) => i)));
        const index = tensor(Int32Array.from(order.splice(0, batchSize)), [batchSize]);
        const logs = model.trainOnBatch(gather(fitSet.x, index, 0), gather(fitSet.y, index, 0));
        lossSum += logs['loss']!;
        lossCount++;
        await yieldToEventLoop();
        if (iterations.includes(step)) {
          const val = await model.evaluate(validation.x, validation.y, { batchSize: 500 });
          const tst = await model.evaluate(testSet.x, testSet.y, { batchSize: 500 });
          const checkpoint = { iteration: step, validationAccuracy: val['accuracy']!, testAccuracy: tst['accuracy']!, trainLoss: lossSum / lossCount };
          lossSum = 0;
          lossCount = 0;
          run.checkpoints.push(checkpoint);
          if (!run.selected || checkpoint.validationAccuracy > run.selected.validationAccuracy) run.selected = checkpoint;
          options.onCheckpoint?.(++done, total, run);
        }
      }
      run.seconds = (performance.now() - runStart) / 1000;
      runs.push(run);
    }
  }
  const result: StudyResult = {
    iterations,
    seeds,
    batchSize,
    trainSamples: n,
    validationSamples: validation.y.shape[0]!,
    testSamples: testSet.y.shape[0]!,
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
    `Test accuracy (%, mean ± std over ${result.seeds} seed${result.seeds > 1 ? 's' : ''}) of the WORKLOADS.md CNN after each number of`,
    `Adam iterations (batch ${result.batchSize}, lr 1e-3 decaying by a cosine to 1e-5 at ${result.iterations[result.iterations.length - 1]} iterations), per activation. "Selected" is the test accuracy at the checkpoint with the best`,
    `accuracy on ${result.validationSamples.toLocaleString('en-US')} validation digits held out from the training file; the ${result.testSamples.toLocaleString('en-US')} test`,
    `digits were never used for a choice. Training digits: ${result.trainSamples.toLocaleString('en-US')}.`,
    '',
    table,
    '',
    `Ranking by selected test accuracy: ${ranking.map((r) => `${r.a} ${(100 * r.acc).toFixed(2)}%`).join(' > ')}.`,
    '',
    '![accuracy vs iterations](accuracy.png)',
    '',
    `Machine: ${describeMachine(result.machine)}. Total wall time ${(result.totalSeconds / 60).toFixed(1)} min.`,
    '',
    'Reproduce with:',
    '',
    '```sh',
    result.command,
    '```',
    '',
  ].join('\n');
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
