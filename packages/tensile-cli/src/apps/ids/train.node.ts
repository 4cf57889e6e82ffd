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
import { anomalyScores, anomalyStep, type AnomalyNetworks } from './anomaly.js';
import { readNslKdd, type LabeledRecords } from './dataset.node.js';
import { anomalyNetworks, DETECTOR_FILE_VERSION, type DetectorConfig, IntrusionDetector } from './detector.node.js';
import { FeatureEncoder } from './features.js';
import { ganStep } from './gan.js';
import { bestAccuracyThreshold, binaryMetrics, type BinaryMetrics } from './metrics.js';
import { detectorNetwork, generatorNetwork } from './network.js';
import { bestEitherThresholds, bestThreshold, eitherScore, type EitherThresholds, KNOWN_ATTACK, NORMAL, shiftBalancedAccuracy, UNSEEN_ATTACK } from './thresholds.js';
import { runEpochs, scoreEncoded, supervisedStep, validationLoss, type EncodedSet, type EpochLog } from './training.js';
import { type HeldOutRule, splitTraining } from './split.js';
import { ANOMALY_SETTINGS, GAN_SETTINGS, type GanSettings, VARIANT_SETTINGS, type Variant } from './variants.js';

export const THRESHOLD_RULE = 'the score cut with the best accuracy on the validation split of KDDTrain+';
export const EITHER_THRESHOLD_RULE =
  'the pair (t_s, t_a) with the best shift-balanced accuracy (mean of normal passed, known-type and unseen-type attacks flagged) on the validation split of KDDTrain+';
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
  /** Changes to the GAN's settings (studies). */
  readonly gan?: Partial<GanSettings>;
  readonly onEpoch?: (variant: Variant, seed: number, log: EpochLog) => void;
}

/** How one decision rule does on the validation split. */
export interface ValidationScores extends BinaryMetrics {
  readonly threshold: number;
  /** The mean of normal passed, known-type attacks flagged and unseen-type attacks flagged. */
  readonly shiftBalancedAccuracy: number;
  /** Share of the held-out (unseen) attack types' records flagged. */
  readonly unseenDetectionRate: number;
  readonly knownDetectionRate: number;
}

export interface TrainedModel {
  readonly variant: Variant;
  readonly seed: number;
  readonly path: string;
  readonly split: HeldOutRule;
  readonly bestEpoch: number;
  readonly epochs: EpochLog[];
  readonly threshold: number;
  readonly validation: ValidationScores;
  /** Share of the held-out attack types' validation records flagged. */
  readonly heldOutDetectionRate: number;
  readonly shiftBalancedAccuracy: number;
  /** The combined variant: each part alone at its own best threshold, and both together. */
  readonly parts?: { readonly supervised: ValidationScores; readonly anomaly: ValidationScores; readonly combined: ValidationScores; readonly anomalyEpochs: EpochLog[] };
  readonly seconds: number;
}

/** One validation split of KDDTrain+ and the variants trained with it. */
export interface SplitSummary {
  readonly rule: HeldOutRule;
  readonly variants: Variant[];
  readonly trainRecords: number;
  readonly validationRecords: number;
  /** Attack types kept out of training (see split.ts) and their records, all in validation. */
  readonly heldOutAttacks: string[];
  readonly heldOutRecords: number;
  /** Attack types in the fitting rows: the "known" types. */
  readonly fitAttacks: string[];
  readonly features: number;
}

export interface TrainIdsResult {
  readonly out: string;
  readonly splits: SplitSummary[];
  readonly models: TrainedModel[];
  readonly machine: MachineInfo;
  /** 1, 5 and 15-minute load averages at the end: the machine is shared, so timings need them. */
  readonly loadAverage: number[];
  readonly command: string;
  readonly totalSeconds: number;
}

/** What every model of one split is trained and judged on. */
interface PreparedSplit {
  readonly summary: SplitSummary;
  readonly encoder: FeatureEncoder;
  readonly fit: EncodedSet;
  readonly validation: EncodedSet;
  /** NORMAL, KNOWN_ATTACK or UNSEEN_ATTACK per validation record. */
  readonly groups: Uint8Array;
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

/** The normal records of a set. */
function normalOnly(set: EncodedSet): EncodedSet {
  const rows = Array.from({ length: set.count }, (_, i) => i).filter((i) => !set.binary[i]);
  const features = new Float32Array(rows.length * set.width);
  rows.forEach((row, i) => features.set(set.features.subarray(row * set.width, (row + 1) * set.width), i * set.width));
  return { features, count: rows.length, width: set.width, binary: new Uint8Array(rows.length), category: new Uint8Array(rows.length) };
}

/** The split of `variants`, which share one held-out rule. */
function prepareSplit(data: LabeledRecords, variants: Variant[], options: TrainIdsOptions): PreparedSplit {
  const attacks = data.records.map((record) => record.label ?? '');
  const { rule, minRecords } = VARIANT_SETTINGS[variants[0]!].heldOut;
  const { fitRows, validationRows, heldOutAttacks } = splitTraining(attacks, data.category, {
    fraction: options.validationFraction ?? 0.1,
    seed: SPLIT_SEED,
    minHeldOut: minRecords,
    rule,
  });
  const encoder = FeatureEncoder.fit(fitRows.map((row) => data.records[row]!.features));
  const fit = encodedSet(data, fitRows, encoder);
  const validation = encodedSet(data, validationRows, encoder);
  const heldOut = new Set(heldOutAttacks);
  const groups = Uint8Array.from(validationRows, (row) => (data.binary[row] ? (heldOut.has(attacks[row]!) ? UNSEEN_ATTACK : KNOWN_ATTACK) : NORMAL));
  const fitAttacks = [...new Set(fitRows.flatMap((row) => (data.binary[row] ? [attacks[row]!] : [])))].sort();
  return {
    summary: {
      rule,
      variants,
      trainRecords: fit.count,
      validationRecords: validation.count,
      heldOutAttacks,
      heldOutRecords: groups.filter((g) => g === UNSEEN_ATTACK).length,
      fitAttacks,
      features: encoder.width,
    },
    encoder,
    fit,
    validation,
    groups,
  };
}

export async function trainIds(options: TrainIdsOptions): Promise<TrainIdsResult> {
  const started = performance.now();
  const data = await readNslKdd('KDDTrain+', options.trainLimit);
  // Variants with the same held-out rule share one split (and encoder).
  const splitKey = (variant: Variant): string => JSON.stringify(VARIANT_SETTINGS[variant].heldOut);
  const keys = [...new Set(options.variants.map(splitKey))];
  const splits = new Map(keys.map((key) => [key, prepareSplit(data, options.variants.filter((v) => splitKey(v) === key), options)]));
  await mkdir(options.out, { recursive: true });
  const models: TrainedModel[] = [];
  for (let seed = 1; seed <= options.seeds; seed++) {
    for (const variant of options.variants) {
      models.push(await trainOne(variant, seed, splits.get(splitKey(variant))!, options));
    }
  }
  const result: TrainIdsResult = {
    out: options.out,
    splits: [...splits.values()].map((s) => s.summary),
    models,
    machine: machineInfo(),
    loadAverage: os.loadavg(),
    command: commandLine(),
    totalSeconds: (performance.now() - started) / 1000,
  };
  await writeFileAtomic(path.join(options.out, 'training.json'), new TextEncoder().encode(JSON.stringify(result, null, 2)));
  return result;
}

function validationScores(scores: ArrayLike<number>, threshold: number, split: PreparedSplit): ValidationScores {
  const flagged = Array.from(scores, (s) => s >= threshold);
  const rate = (group: number): number => {
    const members = flagged.filter((_, i) => split.groups[i] === group);
    return members.length === 0 ? NaN : members.filter(Boolean).length / members.length;
  };
  return {
    ...binaryMetrics(scores, split.validation.binary, threshold),
    threshold,
    shiftBalancedAccuracy: shiftBalancedAccuracy(flagged, split.groups),
    unseenDetectionRate: rate(UNSEEN_ATTACK),
    knownDetectionRate: rate(KNOWN_ATTACK),
  };
}

async function trainOne(variant: Variant, seed: number, split: PreparedSplit, options: TrainIdsOptions): Promise<TrainedModel> {
  const started = performance.now();
  const { fit, validation, encoder } = split;
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
    networks: [detector],
    rows: fit.count,
    validationLoss: () => validationLoss(detector, validation),
    batchSize: settings.batchSize,
    maxEpochs: options.maxEpochs ?? settings.maxEpochs,
    patience: settings.patience,
    seed,
    step,
    onEpoch: (log) => options.onEpoch?.(variant, seed, log),
  });
  const supervised = scoreEncoded(detector, validation.features, validation.count, validation.width).attack;
  const accuracyThreshold = bestAccuracyThreshold(supervised, validation.binary);
  const combined = variant === 'combined' ? await trainAnomalyPart(seed, split, supervised, accuracyThreshold, options) : null;
  const scores = combined?.scores ?? supervised;
  const threshold = combined ? 1 : accuracyThreshold;
  const judged = validationScores(scores, threshold, split);
  const seconds = (performance.now() - started) / 1000;
  const file = path.join(options.out, `${variant}-seed${seed}.safetensors`);
  const config: DetectorConfig = {
    format: 'tensile-ids',
    version: DETECTOR_FILE_VERSION,
    variant,
    seed,
    architecture: settings.architecture,
    threshold,
    thresholdRule: combined ? EITHER_THRESHOLD_RULE : THRESHOLD_RULE,
    ...(combined ? { anomaly: { settings: ANOMALY_SETTINGS, thresholds: combined.thresholds } } : {}),
    encoder: encoder.toJSON(),
    training: {
      bestEpoch,
      epochs,
      validation: judged,
      heldOutDetectionRate: judged.unseenDetectionRate,
      shiftBalancedAccuracy: judged.shiftBalancedAccuracy,
      fitAttacks: split.summary.fitAttacks,
      ...(combined ? { parts: combined.parts } : {}),
      trainRecords: fit.count,
      validationRecords: validation.count,
      seconds,
    },
  };
  await new IntrusionDetector(detector, encoder, config, combined?.networks ?? null).save(file);
  return {
    variant,
    seed,
    path: file,
    split: settings.heldOut.rule,
    bestEpoch,
    epochs,
    threshold,
    validation: judged,
    heldOutDetectionRate: judged.unseenDetectionRate,
    shiftBalancedAccuracy: judged.shiftBalancedAccuracy,
    ...(combined ? { parts: combined.parts } : {}),
    seconds,
  };
}

interface AnomalyPart {
  readonly networks: AnomalyNetworks;
  readonly thresholds: EitherThresholds;
  /** The combined score of each validation record (an attack at ≥ 1). */
  readonly scores: Float32Array;
  readonly parts: NonNullable<TrainedModel['parts']>;
}

/** The combined variant's anomaly GAN, trained on the normal fitting records, and both thresholds. */
async function trainAnomalyPart(seed: number, split: PreparedSplit, supervised: Float32Array, accuracyThreshold: number, options: TrainIdsOptions): Promise<AnomalyPart> {
  const settings = ANOMALY_SETTINGS;
  const { encoder, validation, groups } = split;
  const normal = normalOnly(split.fit);
  const validationNormal = normalOnly(validation);
  manualSeed(seed);
  const networks = anomalyNetworks(encoder.width, settings);
  const reconstruction = new Adam([...networks.encoder.parameters(), ...networks.generator.parameters()], { learningRate: settings.learningRate, beta1: 0.5 });
  const discriminator = new Adam(networks.discriminator.parameters(), { learningRate: settings.learningRate, beta1: 0.5 });
  const score = (set: { features: Float32Array; count: number }): Float32Array => anomalyScores(networks, set.features, set.count, encoder.width, settings.featureWeight);
  const { epochs } = await runEpochs({
    networks: [networks.encoder, networks.generator, networks.discriminator],
    rows: normal.count,
    // Early stopping on how well validation's normal records are explained: no attack record is used.
    validationLoss: () => score(validationNormal).reduce((a, b) => a + b, 0) / validationNormal.count,
    batchSize: settings.batchSize,
    maxEpochs: options.maxEpochs ?? settings.maxEpochs,
    patience: settings.patience,
    seed,
    step: anomalyStep(networks, { reconstruction, discriminator }, normal, settings.featureWeight),
    onEpoch: (log) => options.onEpoch?.('combined', seed, log),
  });
  const anomaly = score(validation);
  const supervisedAlone = bestThreshold(supervised, groups, [accuracyThreshold]);
  const anomalyAlone = bestThreshold(anomaly, groups);
  const thresholds = bestEitherThresholds(supervised, anomaly, groups, [accuracyThreshold]);
  const scores = Float32Array.from(supervised, (s, i) => eitherScore(s, anomaly[i]!, thresholds));
  return {
    networks,
    thresholds: { supervised: thresholds.supervised, anomaly: thresholds.anomaly },
    scores,
    parts: {
      supervised: validationScores(supervised, supervisedAlone.threshold, split),
      anomaly: validationScores(anomaly, anomalyAlone.threshold, split),
      combined: validationScores(scores, 1, split),
      anomalyEpochs: epochs,
    },
  };
}
