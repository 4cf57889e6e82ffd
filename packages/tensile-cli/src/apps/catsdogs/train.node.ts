/**
 * `tensile catsdogs train`: the 50×50 gray cats-vs-dogs study. The 2,000 training photos are split
 * (stratified, fixed split seed) into a fit part and a model-selection part; each seed trains the
 * CNN with Adam and keeps the epoch with the best selection accuracy. Only then is each selected
 * model scored once on the 1,000 validation photos, which no choice ever looks at. The model of the
 * seed with the best *selection* accuracy is the one deployed (saved, quantised, measured).
 * With `refit`, the recipe having been chosen on the split (`explore`), each seed instead trains on
 * all training photos and keeps its last epoch, and the first seed is deployed.
 * With `ensemble: E`, each seed's model is E networks (network seeds (seed − 1)·E + 1 … seed·E,
 * each trained and epoch-selected as above) whose softmax outputs are averaged.
 * With `reuse: DIR`, networks an earlier train run in DIR trained with the same recipe are loaded, not retrained.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { catsDogs, saveModel } from 'tensile/node';
import { Adam, Callback, CosineDecay, EarlyStopping, type Logs, manualSeed, type Sequential, SparseCategoricalCrossentropy, ValueError } from 'tensile';
import { loadPreparedImages, type ImageGeometry, type PreparedImages } from './images.node.js';
import { ensembleLogits, predictLogits } from './inference.js';
import { argmaxRows, averageSoftmaxLogits, score, type Scored } from './metrics.js';
import { augmentationOf, catsDogsCnn, type Augmentation, type CnnShape } from './model.js';
import { writeClassifier } from './ensemble.node.js';
import { balancedSlice, stratifiedSplit, type IndexSplit } from './split.js';
import { EarlierNetworks } from './reuse.node.js';
import { imageTensors, type ImageTensors } from './tensors.js';

export const CLASS_NAMES = ['cat', 'dog'] as const;

export interface TrainSettings extends ImageGeometry, CnnShape, Partial<Augmentation> {
  readonly epochs: number;
  readonly seeds: number;
  readonly batchSize: number;
  /** Adam's initial learning rate, decayed along a cosine to 1% over the run. */
  readonly learningRate: number;
  /** Share of the training photos held out for model selection. */
  readonly selectionFraction: number;
  /** Train on all training photos (fit + selection) and keep the last epoch; `explore` ignores it. */
  readonly refit?: boolean;
  /** Networks per seed, their softmax outputs averaged; absent or 1: one network. */
  readonly ensemble?: number;
  /** Use only the first N training / validation photos, balanced over the classes (quick runs, tests). */
  readonly trainLimit?: number;
  readonly validationLimit?: number;
  /** The --out folder of an earlier train run: its networks of this recipe are loaded instead of trained again. */
  readonly reuse?: string;
}

export interface EpochRecord {
  readonly epoch: number;
  readonly loss: number;
  readonly accuracy: number;
  /** On the selection photos; null when a refit trained on them. */
  readonly selectionLoss: number | null;
  readonly selectionAccuracy: number | null;
}

/** One network's training: its epochs, the one kept and its selection accuracy there. */
export interface NetworkRun {
  /** The network's seed (the seed itself unless a seed is an ensemble). */
  readonly seed: number;
  readonly epochs: EpochRecord[];
  /** The epoch kept (best selection accuracy, ties: the earlier one; a refit: the last), 1-based. */
  readonly selectedEpoch: number;
  /** At the kept epoch; null for a refit, which trained on the selection photos. */
  readonly selectionAccuracy: number | null;
  readonly trainSeconds: number;
  /** Set when the network was loaded from this earlier run's folder (its training figures are that run's). */
  readonly loadedFrom?: string;
}

/** A network loaded from an earlier run instead of trained. */
export type LoadedNetworkRun = NetworkRun & { readonly loadedFrom: string };

/** One seed as seen on the training photos alone (`explore`): its networks and their (averaged) selection accuracy. */
export interface SelectionRun {
  readonly seed: number;
  readonly networks: NetworkRun[];
  readonly selectionAccuracy: number;
  readonly trainSeconds: number;
}

export interface SeedRun {
  readonly seed: number;
  /** With each network's own validation accuracy (reported, never used for a choice). */
  readonly networks: (NetworkRun & { readonly validationAccuracy: number })[];
  /** Of the seed's model (its networks averaged); null for a refit, which trained on the selection photos. */
  readonly selectionAccuracy: number | null;
  readonly validationAccuracy: number;
  readonly confusion: number[][];
  readonly trainSeconds: number;
  /** The model file, or the ensemble manifest, to load. */
  readonly modelPath: string;
}

export interface TrainedStudy {
  readonly settings: TrainSettings;
  readonly counts: { readonly fit: number; readonly selection: number; readonly validation: number };
  readonly decodeSeconds: number;
  readonly runs: SeedRun[];
  /** The seed run whose model is deployed: its networks, validation score and logits. */
  readonly deployed: SeedRun;
  readonly deployedNetworks: Sequential[];
  readonly deployedScore: Scored;
  readonly deployedLogits: Float32Array;
  /** The prepared photos, the validation tensors and which training photos were fit on (calibration uses those). */
  readonly data: { readonly train: PreparedImages; readonly validation: PreparedImages; readonly validationTensors: ImageTensors; readonly fitIndices: number[] };
}

export interface TrainHooks {
  readonly onEpoch?: (seed: number, record: EpochRecord) => void;
  /** A network loaded from an earlier run (`reuse`) instead of trained. */
  readonly onNetworkLoaded?: (network: LoadedNetworkRun) => void;
}

class EpochRecorder extends Callback {
  readonly records: EpochRecord[] = [];

  constructor(private readonly report: (record: EpochRecord) => void) {
    super();
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    const record = {
      epoch: epoch + 1, loss: logs['loss']!, accuracy: logs['accuracy']!, selectionLoss: logs['val_loss'] ?? null, selectionAccuracy: logs['val_accuracy'] ?? null,
    };
    this.records.push(record);
    this.report(record);
  }
}

/** Checks the settings the CLI cannot check alone and opens the run to reuse networks from, before any photo is decoded. */
async function checkSettings(settings: TrainSettings): Promise<EarlierNetworks | null> {
  const ensemble = settings.ensemble ?? 1;
  if (!(Number.isInteger(ensemble) && ensemble >= 1)) throw new ValueError(`catsdogs: ensemble must be a positive integer (networks per seed), got ${ensemble}`);
  return settings.reuse === undefined ? null : EarlierNetworks.open(settings.reuse, settings);
}

/** Trains one network on `fit`; keeps the epoch best on `selection`, or the last one when there is none. */
async function trainNetwork(seed: number, settings: TrainSettings, fit: ImageTensors, selection: ImageTensors | null, hooks: TrainHooks): Promise<{ model: Sequential; records: EpochRecord[]; selectedEpoch: number; seconds: number }> {
  manualSeed(seed);
  const model = catsDogsCnn(settings, settings, augmentationOf(settings));
  const stepsPerEpoch = Math.ceil(fit.y.shape[0]! / settings.batchSize);
  const learningRate = new CosineDecay({ initialLearningRate: settings.learningRate, decaySteps: settings.epochs * stepsPerEpoch, alpha: 0.01 });
  model.compile({ optimizer: new Adam({ learningRate }), loss: new SparseCategoricalCrossentropy({ fromLogits: true }), metrics: ['accuracy'] });
  const selector = selection ? new EarlyStopping({ monitor: 'val_accuracy', mode: 'max', patience: settings.epochs, restoreBestWeights: true }) : null;
  const recorder = new EpochRecorder((record) => hooks.onEpoch?.(seed, record));
  const started = performance.now();
  await model.fit(fit.x, fit.y, {
    epochs: settings.epochs, batchSize: settings.batchSize, ...(selection ? { validationData: [selection.x, selection.y] } : {}),
    callbacks: selector ? [selector, recorder] : [recorder], verbose: 0,
  });
  return { model, records: recorder.records, selectedEpoch: selector ? selector.bestEpoch + 1 : settings.epochs, seconds: (performance.now() - started) / 1000 };
}

/** A seed's model on `fit`: its ensemble's networks, each trained as in trainNetwork, and their averaged selection accuracy. */
async function trainSeed(seed: number, settings: TrainSettings, fit: ImageTensors, selection: ImageTensors | null, earlier: EarlierNetworks | null, hooks: TrainHooks): Promise<{ models: Sequential[]; networks: NetworkRun[]; selectionAccuracy: number | null; seconds: number }> {
  const size = settings.ensemble ?? 1;
  const models: Sequential[] = [];
  const networks: NetworkRun[] = [];
  for (let k = 1; k <= size; k++) {
    const networkSeed = (seed - 1) * size + k;
    const loaded = await earlier?.load(networkSeed);
    if (loaded) {
      models.push(loaded.model);
      networks.push(loaded.run);
      hooks.onNetworkLoaded?.(loaded.run);
      continue;
    }
    const { model, records, selectedEpoch, seconds } = await trainNetwork(networkSeed, settings, fit, selection, hooks);
    models.push(model);
    networks.push({ seed: networkSeed, epochs: records, selectedEpoch, selectionAccuracy: records[selectedEpoch - 1]!.selectionAccuracy, trainSeconds: seconds });
  }
  const selectionAccuracy = selection === null ? null
    : size === 1 ? networks[0]!.selectionAccuracy
    : score(argmaxRows(ensembleLogits(models, selection.x), CLASS_NAMES.length), selection.y.dataSync(), CLASS_NAMES.length).accuracy;
  return { models, networks, selectionAccuracy, seconds: networks.reduce((total, n) => total + n.trainSeconds, 0) };
}

export interface TrainingPhotos {
  readonly train: PreparedImages;
  /** The fit / model-selection split of the training photos (fixed, so a later re-measurement sees the same one). */
  readonly split: IndexSplit;
  readonly decodeSeconds: number;
}

export interface CatsDogsPhotos extends TrainingPhotos {
  readonly validation: PreparedImages;
}

type PhotoSettings = Pick<TrainSettings, 'size' | 'gray' | 'trainLimit' | 'validationLimit' | 'selectionFraction'>;

/** The training photos a run fits on: all of them for a refit, else the fit part of the split. */
export function fitIndices(settings: Pick<TrainSettings, 'refit'>, photos: TrainingPhotos): number[] {
  return settings.refit ? Array.from(photos.train.labels, (_, i) => i) : photos.split.fit;
}

/** Decodes and prepares the training photos a run uses (its limit, size, colour) and splits them; the validation photos are not read. */
export async function loadTrainingPhotos(settings: PhotoSettings): Promise<TrainingPhotos> {
  const { train } = await catsDogs();
  const trainFiles = settings.trainLimit ? balancedSlice(train.files, settings.trainLimit) : train.files;
  const decodeStart = performance.now();
  const trainImages = await loadPreparedImages(trainFiles, settings);
  return { train: trainImages, split: stratifiedSplit(trainImages.labels, settings.selectionFraction), decodeSeconds: (performance.now() - decodeStart) / 1000 };
}

/** The training photos as in loadTrainingPhotos, and the validation photos. */
export async function loadCatsDogsPhotos(settings: PhotoSettings): Promise<CatsDogsPhotos> {
  const training = await loadTrainingPhotos(settings);
  const { validation } = await catsDogs();
  const validationFiles = settings.validationLimit ? balancedSlice(validation.files, settings.validationLimit) : validation.files;
  const decodeStart = performance.now();
  const validationImages = await loadPreparedImages(validationFiles, settings);
  return { ...training, validation: validationImages, decodeSeconds: training.decodeSeconds + (performance.now() - decodeStart) / 1000 };
}

/**
 * Exploration: trains each seed on the fit photos and reports only the selection photos' accuracy.
 * The validation photos are never decoded, so a recipe chosen from these runs cannot have seen them.
 */
export async function exploreCatsDogs(settings: TrainSettings, hooks: TrainHooks = {}): Promise<SelectionRun[]> {
  const earlier = await checkSettings(settings);
  const { train, split } = await loadTrainingPhotos(settings);
  const fit = imageTensors(train, split.fit);
  const selection = imageTensors(train, split.selection);
  const runs: SelectionRun[] = [];
  for (let seed = 1; seed <= settings.seeds; seed++) {
    const { networks, selectionAccuracy, seconds } = await trainSeed(seed, settings, fit, selection, earlier, hooks);
    runs.push({ seed, networks, selectionAccuracy: selectionAccuracy ?? Number.NaN, trainSeconds: seconds });
  }
  return runs;
}

export async function trainCatsDogs(settings: TrainSettings, out: string, hooks: TrainHooks = {}): Promise<TrainedStudy> {
  if (settings.reuse !== undefined && path.resolve(settings.reuse) === path.resolve(out)) {
    throw new ValueError(`catsdogs --reuse ${settings.reuse}: that is the --out folder, whose model files this run rewrites; write the run to another folder`);
  }
  const earlier = await checkSettings(settings);
  const photos = await loadCatsDogsPhotos(settings);
  const { train: trainImages, validation: validationImages, split, decodeSeconds } = photos;
  const fitting = fitIndices(settings, photos);
  const fit = imageTensors(trainImages, fitting);
  const selection = settings.refit ? null : imageTensors(trainImages, split.selection);
  const validationTensors = imageTensors(validationImages);
  await mkdir(path.join(out, 'models'), { recursive: true });
  const runs: SeedRun[] = [];
  let deployed: { run: SeedRun; models: Sequential[]; score: Scored; logits: Float32Array } | null = null;
  for (let seed = 1; seed <= settings.seeds; seed++) {
    const { models, networks, selectionAccuracy, seconds } = await trainSeed(seed, settings, fit, selection, earlier, hooks);
    const networkLogits = models.map((model) => predictLogits(model, validationTensors.x));
    const logits = averageSoftmaxLogits(networkLogits, CLASS_NAMES.length);
    const scored = score(argmaxRows(logits, CLASS_NAMES.length), validationImages.labels, CLASS_NAMES.length);
    const modelPath = await writeClassifier(path.join(out, 'models'), `seed-${seed}`, models.length, (file, k) => saveModel(models[k]!, file, { includeOptimizer: false }));
    const run: SeedRun = {
      seed, networks: networks.map((network, k) => ({ ...network, validationAccuracy: score(argmaxRows(networkLogits[k]!, CLASS_NAMES.length), validationImages.labels, CLASS_NAMES.length).accuracy })),
      selectionAccuracy, validationAccuracy: scored.accuracy, confusion: scored.confusion, trainSeconds: seconds, modelPath,
    };
    runs.push(run);
    // Without selection photos (a refit) nothing but validation could rank the seeds: the first is deployed.
    if (deployed === null || (run.selectionAccuracy ?? 0) > (deployed.run.selectionAccuracy ?? 0)) deployed = { run, models, score: scored, logits };
  }
  return {
    settings, counts: { fit: fitting.length, selection: selection ? split.selection.length : 0, validation: validationImages.labels.length }, decodeSeconds, runs,
    deployed: deployed!.run, deployedNetworks: deployed!.models, deployedScore: deployed!.score, deployedLogits: deployed!.logits,
    data: { train: trainImages, validation: validationImages, validationTensors, fitIndices: fitting },
  };
}
