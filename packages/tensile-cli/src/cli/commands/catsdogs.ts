/** `tensile catsdogs train|predict` and `tensile quantize`. */
import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadImageClassifier } from '../../apps/catsdogs/image-model.node.js';
import { DEFAULT_AUGMENTATION } from '../../apps/catsdogs/model.js';
import { classifyFiles } from '../../apps/catsdogs/predict.node.js';
import { quantizeImageModel } from '../../apps/catsdogs/quantize-images.node.js';
import { catsDogsReport } from '../../apps/catsdogs/report.js';
import { remeasureDeployment, runCatsDogsStudy, writeCurves, type CatsDogsResults } from '../../apps/catsdogs/study.node.js';
import { CLASS_NAMES, exploreCatsDogs, type EpochRecord, type LoadedNetworkRun, type TrainSettings } from '../../apps/catsdogs/train.node.js';
import { percentMeanStd } from '../../apps/report/stats.js';
import { applyCommonOptions, emit, intList, positiveInt, positiveNumber, rateBelowOne, type CommonOptions } from '../options.js';
import { progress } from '../progress.js';
import { writeFileAtomic } from 'tensile/node';
import { counted } from '../../apps/report/counted.js';

interface RecipeCliOptions extends CommonOptions {
  size: number;
  gray: boolean;
  epochs: number;
  seeds: number;
  ensemble: number;
  batchSize: number;
  learningRate: number;
  filters: number[];
  convsPerStage: number;
  batchNorm: boolean;
  units: number;
  dropout: number;
  rotation: number;
  shift: number;
  selectionFraction: number;
  trainLimit?: number;
  reuse?: string;
}

interface TrainCliOptions extends RecipeCliOptions {
  refit?: boolean;
  validationLimit?: number;
  latencyImages: number;
  out: string;
}

interface PredictCliOptions extends CommonOptions {
  model: string;
}

interface QuantizeCliOptions extends CommonOptions {
  model: string;
  calibration: string;
  out: string;
  limit: number;
}

function fraction(value: string): number {
  const n = positiveNumber(value);
  if (n >= 1) throw new Error(`expected a fraction below 1, got '${value}'`);
  return n;
}

/** The options shared by `train` and `explore`: data, network and optimisation (the defaults are the reported recipe). */
function recipeOptions(command: Command): Command {
  return command
    .option('--size <n>', 'side of the square input in pixels', positiveInt, 50)
    .option('--gray', 'grayscale input', true)
    .option('--no-gray', 'RGB input')
    .option('--epochs <n>', 'epochs per network (the best on the selection photos is kept)', positiveInt, 60)
    .option('--seeds <k>', 'training seeds', positiveInt, 3)
    .option('--ensemble <n>', 'networks per seed, trained alike from their own seeds, their softmax outputs averaged', positiveInt, 6)
    .option('--batch-size <n>', 'samples per step', positiveInt, 32)
    .option('--learning-rate <lr>', 'Adam\'s initial learning rate (cosine decay to 1% over the run)', positiveNumber, 2e-3)
    .option('--filters <list>', 'filters of the conv/pool stages', intList, [16, 32, 64])
    .option('--convs-per-stage <n>', '3×3 convolutions per conv/pool stage', positiveInt, 2)
    .option('--batch-norm', 'batch normalisation after each convolution: conv → BN → ReLU', true)
    .option('--no-batch-norm', 'no batch normalisation (conv with ReLU)')
    .option('--units <n>', 'units of the hidden dense layer', positiveInt, 128)
    .option('--dropout <rate>', 'dropout before the output layer (0: none)', rateBelowOne, 0.3)
    .option('--rotation <turns>', 'augmentation: rotations up to ± this fraction of a full turn (0: none)', rateBelowOne, DEFAULT_AUGMENTATION.rotation)
    .option('--shift <f>', 'augmentation: zooms and shifts up to ± this fraction of the side (0: none)', rateBelowOne, DEFAULT_AUGMENTATION.shift)
    .option('--selection-fraction <f>', 'share of the training photos held out for model selection', fraction, 0.2)
    .option('--train-limit <n>', 'use only N training photos (balanced; quick runs)', positiveInt)
    .option('--reuse <dir>', 'the --out folder of an earlier train run with the same recipe: its networks (by network seed) are loaded, not trained again');
}

function recipeSettings(options: RecipeCliOptions): TrainSettings {
  const { size, gray, epochs, seeds, ensemble, batchSize, learningRate, filters, convsPerStage, batchNorm, units, dropout, rotation, shift, selectionFraction, trainLimit, reuse } = options;
  return { size, gray, epochs, seeds, ensemble, batchSize, learningRate, filters, convsPerStage, batchNorm, units, dropout, rotation, shift, selectionFraction, trainLimit, reuse };
}

/** A network's epoch; `seed` is the network's seed (the run's seed unless seeds are ensembles). */
function epochLine(seed: number, e: EpochRecord, ensemble: number): string {
  const selection = e.selectionAccuracy === null ? '' : `, selection ${(100 * e.selectionAccuracy).toFixed(1)}%`;
  return `${ensemble > 1 ? `network ${seed}` : `seed ${seed}`} epoch ${e.epoch}: fit ${(100 * e.accuracy).toFixed(1)}%${selection}`;
}

function loadedLine(network: LoadedNetworkRun): string {
  return `network ${network.seed} loaded from ${network.loadedFrom} (epoch ${network.selectedEpoch} kept there)`;
}

export function registerCatsDogsCommands(program: Command): void {
  const catsdogs = program.command('catsdogs').description('cats vs dogs at 50×50 gray (Shiddieqy et al.): train, measure, predict, report');

  recipeOptions(
    catsdogs
      .command('train')
      .description('train the CNN over several seeds, select epochs on a split of the training photos, score on the validation photos, quantise to int8 and write a report'),
  )
    .option('--refit', 'train each seed on all training photos and keep its last epoch (choose the recipe with explore first); deploys seed 1')
    .option('--validation-limit <n>', 'score only N validation photos (balanced; quick runs)', positiveInt)
    .option('--latency-images <n>', 'validation photos timed per mode for latency and peak RSS (0 skips)', (v: string) => (v === '0' ? 0 : positiveInt(v)), 200)
    .option('--out <dir>', 'where models, report.md, figures and results.json go', 'runs/catsdogs')
    .action(async (options: TrainCliOptions, command: Command) => {
      const all = { ...command.optsWithGlobals<CommonOptions>(), ...options };
      await applyCommonOptions(all);
      const bar = progress(options.seeds * options.ensemble * options.epochs, !all.json);
      let epochsDone = 0;
      const { validationLimit, latencyImages, out, refit } = options;
      const settings = { ...recipeSettings(options), validationLimit, refit: refit === true };
      const results = await runCatsDogsStudy({ ...settings, latencyImages, out }, {
        onEpoch: (seed, e) => bar.update(++epochsDone, epochLine(seed, e, options.ensemble)),
        onNetworkLoaded: (network) => bar.update((epochsDone += network.epochs.length), loadedLine(network)),
      });
      bar.stop();
      const d = results.deployment;
      emit(all, results, [
        `validation accuracy ${percentMeanStd(results.runs.map((r) => r.validationAccuracy))}% over ${counted(results.runs.length, 'seed')}`,
        `int8: ${(d.floatBytes / d.int8Bytes).toFixed(2)}× smaller, accuracy ${(100 * d.floatAccuracy).toFixed(2)}% → ${(100 * d.int8Accuracy).toFixed(2)}%`,
        ...(d.latency ? [`latency per image (1 thread): float ${d.latency.float.medianMs.toFixed(2)} ms, int8 ${d.latency.int8.medianMs.toFixed(2)} ms`] : []),
        `Wrote ${options.out}/report.md, curves, confusion, misclassified (.svg/.png), results.json, ${options.ensemble > 1 ? 'model.ensemble.json, model-int8.ensemble.json and their networks\' files' : 'model.safetensors, model-int8.safetensors'}`,
      ].join('\n'));
    });

  recipeOptions(
    catsdogs
      .command('explore')
      .description('model selection only: train the seeds and report accuracy on the selection photos (the validation photos are never read)'),
  ).action(async (options: RecipeCliOptions, command: Command) => {
    const all = { ...command.optsWithGlobals<CommonOptions>(), ...options };
    await applyCommonOptions(all);
    const runs = await exploreCatsDogs(recipeSettings(options), {
      onEpoch: (seed, e) => {
        if (!all.json) console.log(epochLine(seed, e, options.ensemble));
      },
      onNetworkLoaded: (network) => {
        if (!all.json) console.log(loadedLine(network));
      },
    });
    emit(all, runs, [
      ...runs.map((r) => `seed ${r.seed}: selection ${(100 * r.selectionAccuracy).toFixed(2)}% at epoch${r.networks.length > 1 ? 's' : ''} ${r.networks.map((n) => n.selectedEpoch).join(', ')} / ${options.epochs}, ${r.trainSeconds.toFixed(0)} s`),
      `selection accuracy ${percentMeanStd(runs.map((r) => r.selectionAccuracy))}% over ${counted(runs.length, 'seed')}`,
    ].join('\n'));
  });

  catsdogs
    .command('report')
    .description("rewrite a run's report.md and its accuracy and loss curves from its results.json (after a change to the report's wording)")
    .argument('<dir>', 'the --out folder of a train run')
    .action(async (dir: string, _options: CommonOptions, command: Command) => {
      const all = command.optsWithGlobals<CommonOptions>();
      const results = JSON.parse(await readFile(path.join(dir, 'results.json'), 'utf8')) as CatsDogsResults;
      await writeFileAtomic(path.join(dir, 'report.md'), new TextEncoder().encode(catsDogsReport(results)));
      await writeCurves(dir, results.runs);
      emit(all, { report: path.join(dir, 'report.md') }, `wrote ${path.join(dir, 'report.md')}, curves and loss (.svg/.png)`);
    });

  catsdogs
    .command('measure')
    .description("quantise, score and time a train run's deployed model again on this machine (e.g. a copy of the run folder on a Raspberry Pi); updates results.json and report.md")
    .argument('<dir>', 'the --out folder of a train run')
    .option('--latency-images <n>', 'validation photos timed per mode', positiveInt, 200)
    .action(async (dir: string, options: CommonOptions & { latencyImages: number }, command: Command) => {
      const all = { ...command.optsWithGlobals<CommonOptions>(), ...options };
      await applyCommonOptions(all);
      const results = await remeasureDeployment(dir, options.latencyImages);
      const { latency } = results.deployment;
      emit(all, results.deployment, [
        `int8 accuracy ${(100 * results.deployment.int8Accuracy).toFixed(2)}% (float ${(100 * results.deployment.floatAccuracy).toFixed(2)}%)`,
        ...(latency ? [`latency per image (1 thread): float ${latency.float.medianMs.toFixed(2)} ms, int8 ${latency.int8.medianMs.toFixed(2)} ms`] : []),
        `updated ${path.join(dir, 'results.json')} and report.md`,
      ].join('\n'));
    });

  catsdogs
    .command('predict')
    .description('label and probability for each image (a float or int8 model); unreadable images get an error line, the rest are still classified')
    .requiredOption('--model <file>', 'a float or int8 model file, or an ensemble manifest (model.ensemble.json)')
    .argument('<images...>', 'image files')
    .action(async (images: string[], options: PredictCliOptions, command: Command) => {
      const all = { ...command.optsWithGlobals<CommonOptions>(), ...options };
      await applyCommonOptions(all);
      const predictions = await classifyFiles(await loadImageClassifier(options.model), images, CLASS_NAMES);
      emit(all, predictions, predictions.map((p) => ('error' in p ? `${p.file}\terror: ${p.error}` : `${p.file}\t${p.label}\t${p.probability.toFixed(4)}`)).join('\n'));
      const failed = predictions.filter((p) => 'error' in p).length;
      if (failed > 0) throw new Error(`${failed} of ${counted(predictions.length, 'image')} could not be read (the others are classified above)`);
    });

  program
    .command('quantize')
    .description('post-training int8 quantisation of an image classifier: per-channel weights, activation ranges calibrated on a folder of images')
    .requiredOption('--model <file>', 'float model (.safetensors from training), or an ensemble manifest (.json) to quantise member by member')
    .requiredOption('--calibration <dir>', 'folder of calibration images (searched recursively), e.g. the training photos')
    .requiredOption('--out <file>', 'int8 model file to write (for an ensemble: its manifest, <stem>.ensemble.json, with members <stem>-k.safetensors beside it)')
    .option('--limit <n>', 'calibrate on at most N images, spread over the folder', positiveInt, 500)
    .action(async (options: QuantizeCliOptions, command: Command) => {
      const all = { ...command.optsWithGlobals<CommonOptions>(), ...options };
      await applyCommonOptions(all);
      const result = await quantizeImageModel(options);
      emit(all, result, `wrote ${result.out}: ${counted(result.layers, 'int8 layer')}, ${(result.int8Bytes / 1024).toFixed(1)} KiB (float ${(result.floatBytes / 1024).toFixed(1)} KiB, ${(result.floatBytes / result.int8Bytes).toFixed(2)}× smaller), calibrated on ${counted(result.calibrationImages, 'image')}`);
    });
}
