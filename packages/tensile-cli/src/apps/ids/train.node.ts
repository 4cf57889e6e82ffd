/**
 * `tensile ids train`: fits the feature encoder on KDDTrain+ minus a validation split, trains each
 * variant for each seed with early stopping on that split, picks each model's threshold on it, and
 * saves every model as `<out>/<variant>-seed<k>.safetensors` with `<out>/training.json`. The test
 * files are never opened here.
 */
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Adam, manualSeed } from 'tensile';
import { writeFileAtomic } from 'tensile/node';
import { commandLine, machineInfo, type MachineInfo } from '../report/machine.node.js';
import { readNslKdd, type LabeledRecords } from './dataset.node.js';
import { DETECTOR_FILE_VERSION, IntrusionDetector } from './detector.node.js';
import { FeatureEncoder } from './features.js';
import { ganStep } from './gan.js';
import { bestAccuracyThreshold, binaryMetrics, type BinaryMetrics } from './metrics.js';
import { detectorNetwork, generatorNetwork } from './network.js';
import { runEpochs, scoreEncoded, supervisedStep, type EncodedSet, type EpochLog } from './training.js';
import { splitTraining } from './split.js';
import { GAN_SETTINGS, type GanSettings, VARIANT_SETTINGS, type Variant } from './variants.js';

export const THRESHOLD_RULE = 'the score cut with the best accuracy on the validation split of KDDTrain+';
/** The validation split is the same for every variant and seed, so they are compared on equal terms. */
const SPLIT_SEED = 0;
const MIN_HELD_OUT = 50;

export interface TrainIdsOptions {
  readonly variants: readonly Variant[];
  readonly seeds: number;
  readonly out: string;
  /** Share of KDDTrain+ held out for early stopping and thresholds. Default 0.1. */
  readonly validationFraction?: number;
  /** Use only the first N records of KDDTrain+ (tests and smoke runs). */
  readonly trainLimit?: number;
  /** Overrides every variant's maximum epoch count. */
  readonly maxEpochs?: number;
  /** Changes to the GAN's settings (studies). */
  readonly gan?: Partial<GanSettings>;
  readonly onEpoch?: (variant: Variant, seed: number, log: EpochLog) => void;
}

export interface TrainedModel {
  readonly variant: Variant;
  readonly seed: number;
  readonly path: string;
  readonly bestEpoch: number;
  readonly epochs: EpochLog[];
  readonly threshold: number;
  readonly validation: BinaryMetrics;
  /** Share of the held-out attack types' validation records flagged. */
  readonly heldOutDetectionRate: number;
  readonly seconds: number;
}

export interface TrainIdsResult {
  readonly out: string;
  readonly trainRecords: number;
  readonly validationRecords: number;
  /** Attack types kept out of training (see split.ts) and their records, all in validation. */
  readonly heldOutAttacks: string[];
  readonly heldOutRecords: number;
  readonly features: number;
  readonly models: TrainedModel[];
  readonly machine: MachineInfo;
  /** 1, 5 and 15-minute load averages at the end: the machine is shared, so timings need them. */
  readonly loadAverage: number[];
  readonly command: string;
  readonly totalSeconds: number;
}

function encodedSet(data: LabeledRecords, rows: readonly number[], encoder: FeatureEncoder): EncodedSet {
  return {
    features: encoder.transform(rows.map((row) => data.records[row]!.features)),
    count: rows.length,
    width: encoder.width,
    binary: Uint8Array.from(rows, (row) => data.binary[row]!),
    category: Uint8Array.from(rows, (row) => data.category[row]!),
  };
}

export async function trainIds(options: TrainIdsOptions): Promise<TrainIdsResult> {
  const started = performance.now();
  const data = await readNslKdd('KDDTrain+', options.trainLimit);
  const attacks = data.records.map((record) => record.label ?? '');
  const { fitRows, validationRows, heldOutAttacks } = splitTraining(attacks, data.category, {
    fraction: options.validationFraction ?? 0.1,
    seed: SPLIT_SEED,
    minHeldOut: MIN_HELD_OUT,
  });
  const encoder = FeatureEncoder.fit(fitRows.map((row) => data.records[row]!.features));
  const fit = encodedSet(data, fitRows, encoder);
  const validation = encodedSet(data, validationRows, encoder);
  const isHeldOut = validationRows.map((row) => heldOutAttacks.includes(attacks[row]!));
  await mkdir(options.out, { recursive: true });
  const models: TrainedModel[] = [];
  for (let seed = 1; seed <= options.seeds; seed++) {
    for (const variant of options.variants) {
      models.push(await trainOne(variant, seed, fit, validation, encoder, options, isHeldOut));
    }
  }
  const result: TrainIdsResult = {
    out: options.out,
    trainRecords: fit.count,
    validationRecords: validation.count,
    heldOutAttacks,
    heldOutRecords: isHeldOut.filter(Boolean).length,
    features: encoder.width,
    models,
    machine: machineInfo(),
    loadAverage: os.loadavg(),
    command: commandLine(),
    totalSeconds: (performance.now() - started) / 1000,
  };
  await writeFileAtomic(path.join(options.out, 'training.json'), new TextEncoder().encode(JSON.stringify(result, null, 2)));
  return result;
}

async function trainOne(
  variant: Variant,
  seed: number,
  fit: EncodedSet,
  validation: EncodedSet,
  encoder: FeatureEncoder,
  options: TrainIdsOptions,
  isHeldOut: readonly boolean[],
): Promise<TrainedModel> {
  const started = performance.now();
  const settings = VARIANT_SETTINGS[variant];
  manualSeed(seed);
  const detector = detectorNetwork(encoder.width, settings.architecture);
  const detectorOptimizer = new Adam(detector.parameters(), { learningRate: settings.learningRate });
  const gan = { ...GAN_SETTINGS, ...options.gan };
  const generator = variant === 'gan' ? generatorNetwork(gan.noiseSize, encoder.width, gan.generatorHidden) : null;
  const step = generator
    ? ganStep(
        {
          detector,
          generator,
          detectorOptimizer,
          generatorOptimizer: new Adam(generator.parameters(), { learningRate: gan.generatorLearningRate, beta1: 0.5 }),
        },
        fit,
        gan,
        settings.labelSmoothing,
      )
    : supervisedStep(detector, detectorOptimizer, fit, settings.labelSmoothing);
  const { epochs, bestEpoch } = await runEpochs({
    detector,
    fit,
    validation,
    batchSize: settings.batchSize,
    maxEpochs: options.maxEpochs ?? settings.maxEpochs,
    patience: settings.patience,
    seed,
    step,
    onEpoch: (log) => options.onEpoch?.(variant, seed, log),
  });
  const scores = scoreEncoded(detector, validation.features, validation.count, validation.width).attack;
  const threshold = bestAccuracyThreshold(scores, validation.binary);
  const seconds = (performance.now() - started) / 1000;
  const validationMetrics = binaryMetrics(scores, validation.binary, threshold);
  const heldOutScores = scores.filter((_, i) => isHeldOut[i]);
  const heldOutDetectionRate = heldOutScores.length === 0 ? NaN : heldOutScores.filter((score) => score >= threshold).length / heldOutScores.length;
  const file = path.join(options.out, `${variant}-seed${seed}.safetensors`);
  const model = new IntrusionDetector(detector, encoder, {
    format: 'tensile-ids',
    version: DETECTOR_FILE_VERSION,
    variant,
    seed,
    architecture: settings.architecture,
    threshold,
    thresholdRule: THRESHOLD_RULE,
    encoder: encoder.toJSON(),
    training: { bestEpoch, epochs, validation: validationMetrics, heldOutDetectionRate, trainRecords: fit.count, validationRecords: validation.count, seconds },
  });
  await model.save(file);
  return { variant, seed, path: file, bestEpoch, epochs, threshold, validation: validationMetrics, heldOutDetectionRate, seconds };
}
