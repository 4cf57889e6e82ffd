/** `tensile train mnist` and `tensile study mnist-activations`. */
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { runStudy, DEFAULT_ITERATIONS, DEFAULT_STUDY_DROPOUT, DEFAULT_STUDY_LEARNING_RATE, STUDY_ACTIVATIONS, studyMarkdown } from '../../apps/mnist/study.node.js';
import { trainMnist } from '../../apps/mnist/train.node.js';
import type { ActivationName } from 'tensile';
import { activationList, activationName, applyCommonOptions, rateBelowOne, emit, intList, nonNegativeInt, positiveInt, positiveNumber, type CommonOptions } from '../options.js';
import { Dashboard, DEFAULT_DASHBOARD_PORT } from '../../apps/dashboard/dashboard.node.js';
import { progress } from '../progress.js';
import { counted } from '../../apps/report/counted.js';

interface TrainOptions extends CommonOptions {
  epochs: number;
  batchSize: number;
  activation: ActivationName;
  learningRate: number;
  seed: number;
  out?: string;
  trainLimit?: number;
  testLimit?: number;
  /** A port, or true for the default one. */
  dashboard?: number | true;
  jit: boolean;
  graph?: string;
}

interface StudyCliOptions extends CommonOptions {
  iterations: number[];
  seeds: number;
  activations: ActivationName[];
  learningRate: number;
  dropout: number;
  out: string;
  quick?: boolean;
  workers: number;
  validationSize: number;
  trainLimit?: number;
  testLimit?: number;
}

export function registerMnistCommands(train: Command, study: Command): void {
  train
    .command('mnist')
    .description('train the benchmark workloads\' MNIST CNN (bench/WORKLOADS.md) on the 60,000 MNIST training digits and score it on the 10,000 test digits')
    .option('--epochs <n>', 'passes over the training set', positiveInt, 2)
    .option('--batch-size <n>', 'samples per step', positiveInt, 64)
    .option('--activation <name>', 'hidden-layer activation', activationName, 'relu' as ActivationName)
    .option('--learning-rate <lr>', 'initial Adam learning rate (cosine decay to 1% over the run)', positiveNumber, 3e-3)
    .option('--seed <n>', 'random seed', positiveInt, 1)
    .option('--out <dir>', 'save the trained model in this folder (model.safetensors + config.json); without it the model is not kept')
    .option('--train-limit <n>', 'use only the first N training digits', positiveInt)
    .option('--test-limit <n>', 'score only the first N test digits', positiveInt)
    .option('--no-jit', 'run the training step eagerly, op by op, instead of as a compiled graph')
    .option('--graph <file.md>', 'write the compiled training step\'s graph (as traced and optimised, Mermaid pictures) to this markdown file')
    .option('--dashboard [port]', `serve a live training dashboard on this port (default ${DEFAULT_DASHBOARD_PORT}; 0: any free port)`, nonNegativeInt)
    .action(async (options: TrainOptions, command: Command) => {
      const all = { ...command.optsWithGlobals<CommonOptions>(), ...options };
      await applyCommonOptions(all);
      const dashboard = options.dashboard === undefined ? undefined : new Dashboard({ port: options.dashboard === true ? DEFAULT_DASHBOARD_PORT : options.dashboard, title: 'tensile train mnist' });
      if (dashboard) process.stderr.write(`dashboard: ${await dashboard.start()}\n`);
      const result = await trainMnist({ ...options, ...(options.graph !== undefined && { graphFile: options.graph }), verbose: all.json ? 0 : 1, callbacks: dashboard ? [dashboard] : [] }).finally(() => dashboard?.close());
      emit(
        all,
        result,
        [
          `test accuracy ${(100 * result.testAccuracy).toFixed(2)}% (${result.testSamples} digits), loss ${result.testLoss.toFixed(4)}`,
          `training ${result.trainSeconds.toFixed(1)} s for ${counted(result.epochs, 'epoch')} of ${result.trainSamples} digits; total ${result.totalSeconds.toFixed(1)} s`,
          result.compiledStep
            ? `compiled step: ${result.compiledStep.tracedNodes} kernel calls traced, ${result.compiledStep.optimizedNodes} after optimisation (trace ${result.compiledStep.traceMs.toFixed(0)} ms, optimise ${result.compiledStep.optimizeMs.toFixed(1)} ms)`
            : 'eager step (--no-jit)',
          result.modelPath ? `model saved to ${result.modelPath}` : 'model not saved (pass --out DIR to keep it)',
        ].join('\n'),
      );
    });

  study
    .command('mnist-activations')
    .description('compare ReLU, tanh, ELU, sigmoid, softplus and softsign by test accuracy vs iterations (Ertam & Aydın)')
    .option('--iterations <list>', 'iteration counts at which to score', intList, [...DEFAULT_ITERATIONS])
    .option('--seeds <k>', 'seeds per activation', positiveInt, 3)
    .option('--activations <list>', 'activations to compare', activationList, [...STUDY_ACTIVATIONS])
    .option('--learning-rate <lr>', 'initial Adam learning rate (cosine decay to 1% at the last iteration count)', positiveNumber, DEFAULT_STUDY_LEARNING_RATE)
    .option('--dropout <rate>', 'dropout before the classifier (0: none)', rateBelowOne, DEFAULT_STUDY_DROPOUT)
    .option('--out <dir>', 'where report.md, accuracy.svg/png and results.json go', 'runs/mnist-activations')
    .option('--workers <n>', 'runs trained side by side, each on its own thread (default: one per core)', positiveInt, availableParallelism())
    .option('--validation-size <n>', 'training digits held out for model selection', positiveInt, 5000)
    .option('--train-limit <n>', 'use only the first N training digits', positiveInt)
    .option('--test-limit <n>', 'score only the first N test digits', positiveInt)
    .option('--quick', 'smoke run: iterations 25,50,100, one seed, 2,000 validation and 2,000 test digits')
    .action(async (options: StudyCliOptions, command: Command) => {
      const all = { ...command.optsWithGlobals<CommonOptions>(), ...options };
      await applyCommonOptions(all);
      const quick = options.quick
        ? { iterations: [25, 50, 100], seeds: 1, validationSize: 2000, trainLimit: options.trainLimit ?? 12000, testLimit: options.testLimit ?? 2000 }
        : {};
      const settings = { ...options, ...quick };
      const bar = progress(settings.activations.length * settings.seeds * settings.iterations.length, !all.json);
      const result = await runStudy({
        ...settings,
        onCheckpoint: (done, _total, run) => {
          const last = run.checkpoints[run.checkpoints.length - 1]!;
          bar.update(done, `${run.activation} seed ${run.seed} @${last.iteration}: test ${(100 * last.testAccuracy).toFixed(2)}%`);
        },
      });
      bar.stop();
      emit(all, result, `${studyMarkdown(result)}\nWrote ${settings.out}/report.md, accuracy.svg, accuracy.png, results.json`);
    });
}
