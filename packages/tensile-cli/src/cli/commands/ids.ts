/** `tensile ids train | evaluate | score`: GAN-based intrusion detection on NSL-KDD (SWSNM). */
import { type Command, InvalidArgumentError } from 'commander';
import { evaluateIds } from '../../apps/ids/evaluate.node.js';
import { scoreIds } from '../../apps/ids/score.node.js';
import { trainIds } from '../../apps/ids/train.node.js';
import { GAN_SETTINGS, type GanSettings, isVariant, VARIANTS, type Variant } from '../../apps/ids/variants.js';
import { percentMeanStd } from '../../apps/report/stats.js';
import { emit, positiveInt, positiveNumber, type CommonOptions, withGlobals } from '../options.js';
import { counted } from '../../apps/report/counted.js';

interface TrainCliOptions extends CommonOptions {
  variant: Variant[];
  seeds: number;
  epochs?: number;
  out: string;
  trainLimit?: number;
  ganFakeWeight?: number;
  ganGeneratorLoss?: GanSettings['generatorLoss'];
}

interface EvaluateCliOptions extends CommonOptions {
  model: string;
  out?: string;
  testLimit?: number;
}

interface ScoreCliOptions extends CommonOptions {
  model: string;
  input: string;
  output?: string;
  threshold?: number;
}

function variantList(value: string): Variant[] {
  if (value === 'all') return [...VARIANTS];
  return value.split(',').map((part) => {
    const name = part.trim();
    if (!isVariant(name)) throw new InvalidArgumentError(`unknown variant '${name}' (known: ${VARIANTS.join(', ')}, all)`);
    return name;
  });
}

function generatorLoss(value: string): GanSettings['generatorLoss'] {
  if (value !== 'feature-matching' && value !== 'non-saturating') throw new InvalidArgumentError(`expected feature-matching or non-saturating, got '${value}'`);
  return value;
}

function probability(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n <= 1) || value.trim() === '') throw new InvalidArgumentError(`expected a threshold in [0, 1], got '${value}'`);
  return n;
}

export function registerIdsCommands(program: Command): void {
  const ids = program.command('ids').description('GAN-based intrusion detection on NSL-KDD (SWSNM): train, evaluate, score');

  ids
    .command('train')
    .description('train the GAN detector and the baselines on KDDTrain+ (early stopping and thresholds on a validation split of it)')
    .option('--variant <list>', `detectors to train: ${VARIANTS.join(', ')} or all`, variantList, [...VARIANTS])
    .option('--seeds <k>', 'seeds per detector', positiveInt, 3)
    .option('--epochs <n>', 'maximum epochs (overrides each detector\'s own limit; early stopping still applies)', positiveInt)
    .option('--out <dir>', 'where the models (<variant>-seed<k>.safetensors) and training.json go', 'runs/ids')
    .option('--train-limit <n>', 'use only the first N records of KDDTrain+', positiveInt)
    .option('--gan-fake-weight <w>', `weight of G's fakes in D's loss (default ${GAN_SETTINGS.fakeWeight})`, positiveNumber)
    .option('--gan-generator-loss <name>', `feature-matching or non-saturating (default ${GAN_SETTINGS.generatorLoss})`, generatorLoss)
    .action(async (options: TrainCliOptions, command: Command) => {
      const all = await withGlobals(options, command);
      const result = await trainIds({
        variants: options.variant,
        seeds: options.seeds,
        out: options.out,
        maxEpochs: options.epochs,
        trainLimit: options.trainLimit,
        gan: {
          ...(options.ganFakeWeight !== undefined ? { fakeWeight: options.ganFakeWeight } : {}),
          ...(options.ganGeneratorLoss !== undefined ? { generatorLoss: options.ganGeneratorLoss } : {}),
        },
        onEpoch: all.json
          ? undefined
          : (variant, seed, log) =>
              process.stderr.write(`${variant} seed ${seed} epoch ${log.epoch}: train loss ${log.trainLoss.toFixed(4)}, validation loss ${log.validationLoss.toFixed(4)} (${log.seconds.toFixed(1)} s)\n`),
      });
      emit(
        all,
        result,
        [
          ...result.models.map(
            (m) =>
              `${m.variant} seed ${m.seed}: validation accuracy ${(100 * m.validation.accuracy).toFixed(2)}%, shift-balanced ${(100 * m.shiftBalancedAccuracy).toFixed(2)}%, unseen types flagged ${(100 * m.heldOutDetectionRate).toFixed(2)}% at threshold ${m.threshold.toFixed(3)}, epoch ${m.bestEpoch} kept → ${m.path}`,
          ),
          ...result.splits.map((s) => `split ${s.rule} (${s.variants.join(', ')}): ${s.trainRecords} training and ${s.validationRecords} validation records, held-out types ${s.heldOutAttacks.join(', ')}`),
          `${(result.totalSeconds / 60).toFixed(1)} min. Next: tensile ids evaluate --model ${result.out}`,
        ].join('\n'),
      );
    });

  ids
    .command('evaluate')
    .description('score saved detectors on KDDTest+ and KDDTest-21; write report.md, roc.svg/png and results.json')
    .requiredOption('--model <path>', 'a model file, or the folder written by ids train')
    .option('--out <dir>', 'where the report goes (default: the model\'s folder)')
    .option('--test-limit <n>', 'score only the first N records of each test file', positiveInt)
    .action(async (options: EvaluateCliOptions, command: Command) => {
      const all = await withGlobals(options, command);
      const result = await evaluateIds({ model: options.model, out: options.out, testLimit: options.testLimit });
      const variants = [...new Set(result.models.map((m) => m.variant))];
      emit(
        all,
        result,
        [
          ...variants.map((v) => {
            const models = result.models.filter((m) => m.variant === v);
            const acc = (file: string): string => percentMeanStd(models.map((m) => m.results[file]!.accuracy));
            return `${v} (${models.length} seed(s)): accuracy KDDTest+ ${acc('KDDTest+')}%, KDDTest-21 ${acc('KDDTest-21')}%`;
          }),
          `Wrote ${result.out}/report.md, roc.svg, roc.png, results.json`,
        ].join('\n'),
      );
    });

  ids
    .command('score')
    .description('score connection records (NSL-KDD layout, with or without label columns): a verdict per record and flagged records per source')
    .requiredOption('--model <file>', 'a model file written by ids train')
    .requiredOption('--input <file>', 'records to score (.csv, .txt or .gz)')
    .option('--output <file>', 'per-record scores (default: <input>.scores.csv)')
    .option('--threshold <t>', 'flag records scoring at least this (default: the model\'s own)', probability)
    .action(async (options: ScoreCliOptions, command: Command) => {
      const all = await withGlobals(options, command);
      const result = await scoreIds({ model: options.model, input: options.input, output: options.output, threshold: options.threshold });
      for (const { message } of result.malformed) process.stderr.write(`malformed: ${message}\n`);
      emit(
        all,
        result,
        [
          `${counted(result.rows, 'record')}: ${result.flagged} flagged as attacks, ${result.malformed.length} malformed (threshold ${result.threshold.toFixed(3)})`,
          ...result.sources.slice(0, 15).map((s) => `  ${s.source}: ${s.flagged} of ${s.records} flagged`),
          ...(result.sources.length > 15 ? [`  … and ${result.sources.length - 15} more sources with flagged records`] : []),
          `Wrote ${result.output}`,
        ].join('\n'),
      );
    });
}
