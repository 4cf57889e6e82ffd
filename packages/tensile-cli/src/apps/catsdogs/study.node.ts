/**
 * The whole cats-vs-dogs run behind `tensile catsdogs train`: train and select per seed, score on
 * the validation photos, deploy (quantise, measure), then write curves, confusion matrix,
 * misclassified grid, results.json and report.md into `out`.
 */
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { confusionChart, lineChart, writeChart, type SeriesPoint } from '../report/charts.node.js';
import { writeImageGrid } from '../report/image-grid.node.js';
import { commandLine, machineInfo, type MachineInfo } from '../report/machine.node.js';
import { RawImage } from 'tensile';
import { writeFileAtomic } from 'tensile/node';
import { deploy, type Deployment } from './deploy.node.js';
import { classifierPaths } from './ensemble.node.js';
import { loadFloatNetworks } from './image-model.node.js';
import { topProbability } from './metrics.js';
import { catsDogsReport } from './report.js';
import { ensembleLogits } from './inference.js';
import { CLASS_NAMES, fitIndices, loadCatsDogsPhotos, trainCatsDogs, type EpochRecord, type SeedRun, type TrainHooks, type TrainSettings } from './train.node.js';
import { imageTensors } from './tensors.js';

export interface StudyOptions extends TrainSettings {
  readonly out: string;
  /** Validation photos timed per mode for latency and RSS (0: skip). */
  readonly latencyImages: number;
}

export interface Misclassified {
  readonly path: string;
  readonly actual: string;
  readonly predicted: string;
  readonly probability: number;
}

export interface CatsDogsResults {
  readonly settings: TrainSettings;
  readonly counts: { readonly fit: number; readonly selection: number; readonly validation: number };
  readonly runs: readonly Omit<SeedRun, 'modelPath'>[];
  readonly deployedSeed: number;
  readonly deployment: Omit<Deployment, 'floatPath' | 'int8Path'>;
  readonly misclassified: readonly Misclassified[];
  readonly machine: MachineInfo;
  /** Load averages (1, 5, 15 min) before training and after the measurements: the machine is shared. */
  readonly loadAverage: { readonly start: number[]; readonly end: number[] };
  readonly command: string;
  readonly decodeSeconds: number;
  readonly totalSeconds: number;
  /** Set when the deployment figures were measured again later (`tensile catsdogs measure`), maybe elsewhere. */
  readonly remeasured?: { readonly command: string; readonly machine: MachineInfo; readonly loadAverage: { readonly start: number[]; readonly end: number[] } };
}

const GRID_SIZE = 24;

export async function runCatsDogsStudy(options: StudyOptions, hooks: TrainHooks = {}): Promise<CatsDogsResults> {
  const started = performance.now();
  const loadAtStart = os.loadavg();
  const { out, latencyImages, ...settings } = options;
  const study = await trainCatsDogs(settings, out, hooks);
  const { validation } = study.data;
  const logits = study.deployedLogits;
  const deployment = await deploy(study.deployedNetworks, { images: study.data.train, indices: study.data.fitIndices }, validation, logits, {
    out, latencyImages, metadata: deploymentMetadata(settings),
  });
  const misclassified = study.deployedScore.wrong.map((i): Misclassified => ({
    path: validation.paths[i]!, actual: CLASS_NAMES[validation.labels[i]!]!, predicted: CLASS_NAMES[1 - validation.labels[i]!]!,
    probability: topProbability(logits, CLASS_NAMES.length, i),
  }));
  await writeFigures(out, study.runs, study.deployed.seed, study.deployedScore.confusion, validation, study.deployedScore.wrong, misclassified);
  const { floatPath: _f, int8Path: _i, ...figures } = deployment;
  const results: CatsDogsResults = {
    settings, counts: study.counts, runs: study.runs.map(({ modelPath: _m, ...run }) => run), deployedSeed: study.deployed.seed, deployment: figures,
    misclassified, machine: machineInfo(), loadAverage: { start: loadAtStart, end: os.loadavg() }, command: commandLine(),
    decodeSeconds: study.decodeSeconds, totalSeconds: (performance.now() - started) / 1000,
  };
  await writeResults(out, results);
  return results;
}

/**
 * Quantises, scores and times a finished run's deployed model again, on this machine (e.g. a copy of
 * the run folder on a Raspberry Pi), with the run's own calibration photos; rewrites the int8 file,
 * results.json and report.md.
 */
export async function remeasureDeployment(dir: string, latencyImages: number): Promise<CatsDogsResults> {
  const loadAtStart = os.loadavg();
  const previous = JSON.parse(await readFile(path.join(dir, 'results.json'), 'utf8')) as CatsDogsResults;
  const floatModel = classifierPaths(dir, 'model', previous.settings.ensemble ?? 1).target;
  const { networks } = await loadFloatNetworks(floatModel);
  const photos = await loadCatsDogsPhotos(previous.settings);
  const logits = ensembleLogits(networks, imageTensors(photos.validation).x);
  const deployment = await deploy(networks, { images: photos.train, indices: fitIndices(previous.settings, photos) }, photos.validation, logits, {
    out: dir, latencyImages, metadata: deploymentMetadata(previous.settings),
  });
  const { floatPath: _f, int8Path: _i, ...figures } = deployment;
  const results: CatsDogsResults = {
    ...previous, deployment: figures, remeasured: { command: commandLine(), machine: machineInfo(), loadAverage: { start: loadAtStart, end: os.loadavg() } },
  };
  await writeResults(dir, results);
  return results;
}

function deploymentMetadata(settings: TrainSettings): Record<string, string> {
  return { classes: CLASS_NAMES.join(','), size: String(settings.size), gray: String(settings.gray) };
}

async function writeResults(out: string, results: CatsDogsResults): Promise<void> {
  await writeFileAtomic(path.join(out, 'results.json'), new TextEncoder().encode(`${JSON.stringify(results, null, 2)}\n`));
  await writeFileAtomic(path.join(out, 'report.md'), new TextEncoder().encode(catsDogsReport(results)));
}

/** The accuracy and loss curves of every network, from the runs alone (so `catsdogs report` can redraw them). */
export async function writeCurves(out: string, runs: readonly Pick<SeedRun, 'seed' | 'networks' | 'selectionAccuracy'>[]): Promise<void> {
  // A refit has no selection photos: its curves are the fit photos' alone.
  // One colour per seed (an ensemble's networks share it), one dash pattern per kind of photos.
  const curve = (fit: (e: EpochRecord) => number, selection: (e: EpochRecord) => number | null): SeriesPoint[] => runs.flatMap((run) => run.networks.flatMap((network) => {
    const group = `seed ${run.seed}`;
    return network.epochs.flatMap((e) => {
      const held = selection(e);
      return [
        { series: `net ${network.seed} fit`, group, dash: 'fit photos', x: e.epoch, y: fit(e) },
        ...(held === null ? [] : [{ series: `net ${network.seed} selection`, group, dash: 'selection photos', x: e.epoch, y: held }]),
      ];
    });
  }));
  const points = curve((e) => 100 * e.accuracy, (e) => (e.selectionAccuracy === null ? null : 100 * e.selectionAccuracy));
  const title = runs.some((run) => run.selectionAccuracy !== null)
    ? 'Accuracy per epoch: fit photos (augmented) vs model-selection photos'
    : 'Accuracy per epoch on the training photos (augmented)';
  await writeChart(lineChart(points, { title, x: 'epoch', y: 'accuracy (%)' }), path.join(out, 'curves'));
  const losses = curve((e) => e.loss, (e) => e.selectionLoss);
  await writeChart(lineChart(losses, { title: 'Cross-entropy per epoch', x: 'epoch', y: 'loss' }), path.join(out, 'loss'));
}

async function writeFigures(
  out: string, runs: readonly SeedRun[], deployedSeed: number, confusion: number[][],
  validation: { images: Uint8Array; shape: readonly [number, number, number, number] }, wrong: readonly number[], misclassified: readonly Misclassified[],
): Promise<void> {
  await writeCurves(out, runs);
  await writeChart(confusionChart(confusion, CLASS_NAMES, `Validation confusion matrix (float model, seed ${deployedSeed})`), path.join(out, 'confusion'));
  const [, height, width, channels] = validation.shape;
  const pixels = height * width * channels;
  const cells = wrong.slice(0, GRID_SIZE).map((index, k) => ({
    image: new RawImage(validation.images.slice(index * pixels, (index + 1) * pixels), width, height, channels),
    caption: `${path.basename(misclassified[k]!.path)}\n${misclassified[k]!.actual} → ${misclassified[k]!.predicted} ${(100 * misclassified[k]!.probability).toFixed(0)}%`,
  }));
  if (cells.length > 0) await writeImageGrid(cells, path.join(out, 'misclassified'), { columns: 6, title: `Misclassified validation photos (model input, ${width}×${height}): actual → predicted, probability` });
}
