/**
 * `tensile ids train`: fits the feature encoder on KDDTrain+ minus a validation split, trains each
 * variant for each seed with early stopping on that split, picks each model's threshold on it, and
 * saves every model as `<out>/<variant>-seed<k>.safetensors` with `<out>/training.json`. The test
 * files are never opened here.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Adam } from '../../optim/index.js';
import { Generator, manualSeed } from '../../tensor/random.js';
import { scope } from '../../tensor/lifetime.js';
import { writeFileAtomic } from '../../saving/files.node.js';
import { commandLine, machineInfo, type MachineInfo } from '../report/machine.node.js';
import { readNslKdd, type LabeledRecords } from './dataset.node.js';
import { DETECTOR_FILE_VERSION, IntrusionDetector } from './detector.node.js';
import { FeatureEncoder } from './features.js';
import { ganStep } from './gan.js';
import { bestAccuracyThreshold, binaryMetrics, type BinaryMetrics } from './metrics.js';
import { detectorNetwork, generatorNetwork } from './network.js';
import { batchOf, detectorLoss, runEpochs, scoreEncoded, type EncodedSet, type EpochLog } from './training.js';
import { GAN_SETTINGS, VARIANT_SETTINGS, type Variant } from './variants.js';

export const THRESHOLD_RULE = 'the score cut with the best accuracy on the validation split of KDDTrain+';
/** The validation split is the same for every variant and seed, so they are compared on equal terms. */
const SPLIT_SEED = 0;

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
  readonly seconds: number;
}

export interface TrainIdsResult {
  readonly out: string;
  readonly trainRecords: number;
  readonly validationRecords: number;
  readonly features: number;
  readonly models: TrainedModel[];
  readonly machine: MachineInfo;
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
  const order = new Generator(SPLIT_SEED).shuffle(Array.from({ length: data.records.length }, (_, i) => i));
  const validationCount = Math.max(1, Math.round(data.records.length * (options.validationFraction ?? 0.1)));
  const fitRows = order.slice(validationCount);
  const validationRows = order.slice(0, validationCount);
  const encoder = FeatureEncoder.fit(fitRows.map((row) => data.records[row]!.features));
  const fit = encodedSet(data, fitRows, encoder);
  const validation = encodedSet(data, validationRows, encoder);
  await mkdir(options.out, { recursive: true });
  const models: TrainedModel[] = [];
  for (let seed = 1; seed <= options.seeds; seed++) {
    for (const variant of options.variants) {
      models.push(await trainOne(variant, seed, fit, validation, encoder, options));
    }
  }
  const result: TrainIdsResult = {
    out: options.out,
    trainRecords: fit.count,
    validationRecords: validation.count,
    features: encoder.width,
    models,
    machine: machineInfo(),
    command: commandLine(),
    totalSeconds: (performance.now() - started) / 1000,
  };
  await writeFileAtomic(path.join(options.out, 'training.json'), new TextEncoder().encode(JSON.stringify(result, null, 2)));
  return result;
}

async function trainOne(variant: Variant, seed: number, fit: EncodedSet, validation: EncodedSet, encoder: FeatureEncoder, options: TrainIdsOptions): Promise<TrainedModel> {
  const started = performance.now();
  const settings = VARIANT_SETTINGS[variant];
  manualSeed(seed);
  const detector = detectorNetwork(encoder.width, settings.architecture);
  const detectorOptimizer = new Adam(detector.parameters(), { learningRate: settings.learningRate });
  const generator = variant === 'gan' ? generatorNetwork(GAN_SETTINGS.noiseSize, encoder.width, GAN_SETTINGS.generatorHidden) : null;
  const step = generator
    ? ganStep(
        {
          detector,
          generator,
          detectorOptimizer,
          generatorOptimizer: new Adam(generator.parameters(), { learningRate: GAN_SETTINGS.generatorLearningRate, beta1: 0.5 }),
        },
        fit,
        GAN_SETTINGS,
        settings.labelSmoothing,
      )
    : (rows: readonly number[]) =>
        scope(() => {
          const batch = batchOf(fit, rows, settings.labelSmoothing);
          const loss = detectorLoss(detector.forward(batch.x), batch, settings.labelSmoothing);
          detectorOptimizer.zeroGrad();
          loss.backward();
          detectorOptimizer.step();
          return loss.item();
        });
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
    training: { bestEpoch, epochs, validation: validationMetrics, trainRecords: fit.count, validationRecords: validation.count, seconds },
  });
  await model.save(file);
  return { variant, seed, path: file, bestEpoch, epochs, threshold, validation: validationMetrics, seconds };
}
