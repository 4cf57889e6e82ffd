/**
 * `tensile ids evaluate`: scores saved detectors on KDDTest+ and KDDTest-21 — the only place the
 * test files are read — and writes report.md, roc.svg/png and results.json. Given a folder (the
 * output of `ids train`), every model in it is evaluated and each variant is summarised as
 * mean ± std over its seeds.
 */
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NSL_KDD_CATEGORIES, writeFileAtomic } from 'tensile/node';
import { ValueError } from 'tensile';
import { lineChart, writeChart } from '../report/charts.node.js';
import { commandLine, machineInfo, type MachineInfo } from '../report/machine.node.js';
import { readNslKdd, type LabeledRecords, type NslKddFile } from './dataset.node.js';
import { IntrusionDetector, type DetectorConfig } from './detector.node.js';
import { binaryMetrics, confusionMatrix, rocCurve, type BinaryMetrics } from './metrics.js';
import { idsReport } from './report.js';
import type { EitherThresholds } from './thresholds.js';
import type { TrainIdsResult } from './train.node.js';

export const TEST_FILES: readonly NslKddFile[] = ['KDDTest+', 'KDDTest-21'];
const ROC_POINTS = 60;

export interface EvaluateIdsOptions {
  /** A model file, or a folder of them (as written by `ids train`). */
  readonly model: string;
  /** Where report.md, roc.svg/png and results.json go; default: the model's folder. */
  readonly out?: string;
  /** Score only the first N records of each test file (tests and smoke runs). */
  readonly testLimit?: number;
}

export interface TypeDetection {
  readonly category: string;
  readonly records: number;
  readonly flagged: number;
  /** Whether the type occurred in the records the model was fitted on; null when the model file does not say. */
  readonly known: boolean | null;
}

export interface TestSetScores extends BinaryMetrics {
  readonly records: number;
  /** Per attack type (label): its records, how many were flagged, and whether training knew it. */
  readonly detectionByType: Record<string, TypeDetection>;
  /** Share of flagged records among attack types the model was fitted on / not fitted on (NaN when unknown). */
  readonly knownDetectionRate: number;
  readonly unseenDetectionRate: number;
  /** Per attack category, the share of its unseen types' records flagged. */
  readonly unseenDetectionByCategory: Record<string, number>;
  /** The combined variant's parts alone: ROC AUC and thinned ROC curve of each. */
  readonly parts?: { readonly supervised: PartRoc; readonly anomaly: PartRoc };
  /** 5-class confusion of the category head, `[truth][predicted]` in NSL_KDD_CATEGORIES order. */
  readonly categoryConfusion: number[][];
  /** Share of each attack category's records flagged as attacks (DoS, Probe, R2L, U2R). */
  readonly detectionRate: Record<string, number>;
  /** The ROC curve thinned to at most ~60 points, for the chart. */
  readonly roc: { fpr: number; tpr: number }[];
}

export interface PartRoc {
  readonly rocAuc: number;
  readonly roc: { fpr: number; tpr: number }[];
}

export interface ModelEvaluation {
  readonly file: string;
  readonly variant: DetectorConfig['variant'];
  readonly seed: number;
  readonly threshold: number;
  /** The combined variant's two thresholds (supervised P(attack), anomaly score), else null. */
  readonly anomaly: EitherThresholds | null;
  readonly training: DetectorConfig['training'];
  readonly results: Record<string, TestSetScores>;
}

export interface EvaluateIdsResult {
  readonly models: ModelEvaluation[];
  /** `training.json` of the model folder, when there is one. */
  readonly training: TrainIdsResult | null;
  readonly testFiles: readonly string[];
  readonly machine: MachineInfo;
  /** 1, 5 and 15-minute load averages at the end (shared machine). */
  readonly loadAverage: number[];
  readonly command: string;
  readonly seconds: number;
  readonly out: string;
}

async function modelFiles(target: string): Promise<string[]> {
  if (!(await stat(target).catch(() => null))?.isDirectory()) return [target];
  const files = (await readdir(target)).filter((name) => name.endsWith('.safetensors')).sort();
  if (files.length === 0) throw new ValueError(`ids evaluate: ${target} holds no .safetensors model`);
  return files.map((name) => path.join(target, name));
}

async function readTraining(dir: string): Promise<TrainIdsResult | null> {
  const text = await readFile(path.join(dir, 'training.json'), 'utf8').catch(() => null);
  return text === null ? null : (JSON.parse(text) as TrainIdsResult);
}

function thinnedRoc(scores: ArrayLike<number>, labels: ArrayLike<number>): PartRoc {
  const { points, auc } = rocCurve(scores, labels);
  const stride = Math.max(1, Math.ceil(points.length / ROC_POINTS));
  return { rocAuc: auc, roc: points.filter((_, i) => i % stride === 0 || i === points.length - 1).map(({ fpr, tpr }) => ({ fpr, tpr })) };
}

function typeDetection(detector: IntrusionDetector, data: LabeledRecords, flagged: (i: number) => boolean): Pick<TestSetScores, 'detectionByType' | 'knownDetectionRate' | 'unseenDetectionRate' | 'unseenDetectionByCategory'> {
  const fitAttacks = detector.config.training['fitAttacks'];
  const known = Array.isArray(fitAttacks) ? new Set(fitAttacks.map(String)) : null;
  const byType: Record<string, TypeDetection> = {};
  data.records.forEach((record, i) => {
    if (!data.binary[i]) return;
    const type = record.label ?? '';
    const entry = byType[type] ?? { category: NSL_KDD_CATEGORIES[data.category[i]!]!, records: 0, flagged: 0, known: known ? known.has(type) : null };
    byType[type] = { ...entry, records: entry.records + 1, flagged: entry.flagged + (flagged(i) ? 1 : 0) };
  });
  const rate = (keep: (t: TypeDetection) => boolean): number => {
    const types = Object.values(byType).filter(keep);
    const records = types.reduce((n, t) => n + t.records, 0);
    return records === 0 ? NaN : types.reduce((n, t) => n + t.flagged, 0) / records;
  };
  return {
    detectionByType: byType,
    knownDetectionRate: rate((t) => t.known === true),
    unseenDetectionRate: rate((t) => t.known === false),
    unseenDetectionByCategory: Object.fromEntries(NSL_KDD_CATEGORIES.slice(1).map((name) => [name, rate((t) => t.known === false && t.category === name)])),
  };
}

function testSetScores(detector: IntrusionDetector, data: LabeledRecords): TestSetScores {
  const { attack, category, supervised, anomaly } = detector.scoreEncoded(detector.encoder.transform(data.records.map((r) => r.features)), data.records.length);
  const metrics = binaryMetrics(attack, data.binary, detector.threshold);
  const detectionRate: Record<string, number> = {};
  NSL_KDD_CATEGORIES.forEach((name, c) => {
    if (c === 0) return;
    let total = 0;
    let flagged = 0;
    data.category.forEach((truth, i) => {
      if (truth !== c) return;
      total++;
      if (attack[i]! >= detector.threshold) flagged++;
    });
    detectionRate[name] = total === 0 ? NaN : flagged / total;
  });
  return {
    ...metrics,
    records: data.records.length,
    categoryConfusion: confusionMatrix(data.category, category, NSL_KDD_CATEGORIES.length),
    detectionRate,
    ...typeDetection(detector, data, (i) => attack[i]! >= detector.threshold),
    roc: thinnedRoc(attack, data.binary).roc,
    ...(anomaly ? { parts: { supervised: thinnedRoc(supervised, data.binary), anomaly: thinnedRoc(anomaly, data.binary) } } : {}),
  };
}

export async function evaluateIds(options: EvaluateIdsOptions): Promise<EvaluateIdsResult> {
  const started = performance.now();
  const files = await modelFiles(options.model);
  const isFolder = files.length > 1 || files[0] !== options.model;
  const modelDir = isFolder ? options.model : path.dirname(options.model);
  const out = options.out ?? modelDir;
  const testSets = await Promise.all(TEST_FILES.map((name) => readNslKdd(name, options.testLimit)));
  const models: ModelEvaluation[] = [];
  for (const file of files) {
    const detector = await IntrusionDetector.load(file);
    const results: Record<string, TestSetScores> = {};
    TEST_FILES.forEach((name, i) => (results[name] = testSetScores(detector, testSets[i]!)));
    const { variant, seed, threshold, training } = detector.config;
    models.push({ file, variant, seed, threshold, anomaly: detector.config.anomaly?.thresholds ?? null, training, results });
  }
  const result: EvaluateIdsResult = {
    models,
    training: isFolder ? await readTraining(modelDir) : null,
    testFiles: testSets.map((set) => set.file),
    machine: machineInfo(),
    loadAverage: os.loadavg(),
    command: commandLine(),
    seconds: (performance.now() - started) / 1000,
    out,
  };
  await writeEvaluation(result);
  return result;
}

async function writeEvaluation(result: EvaluateIdsResult): Promise<void> {
  await mkdir(result.out, { recursive: true });
  const firstSeeds = result.models.filter((m, i) => result.models.findIndex((other) => other.variant === m.variant) === i);
  const curve = (series: string, roc: readonly { fpr: number; tpr: number }[]) => roc.map((p) => ({ series, x: p.fpr, y: p.tpr }));
  const points = firstSeeds.flatMap((m) => {
    const { roc, parts } = m.results['KDDTest+']!;
    return [
      ...curve(`${m.variant} (seed ${m.seed})`, roc),
      ...(parts ? [...curve(`${m.variant}: supervised part (seed ${m.seed})`, parts.supervised.roc), ...curve(`${m.variant}: anomaly score (seed ${m.seed})`, parts.anomaly.roc)] : []),
    ];
  });
  await writeChart(lineChart(points, { title: 'ROC on KDDTest+', x: 'false-positive rate', y: 'true-positive rate (detection rate)', yDomain: [0, 1] }), path.join(result.out, 'roc'));
  await writeFileAtomic(path.join(result.out, 'results.json'), new TextEncoder().encode(JSON.stringify(result, null, 2)));
  await writeFileAtomic(path.join(result.out, 'report.md'), new TextEncoder().encode(idsReport(result)));
}
