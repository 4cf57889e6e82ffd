/**
 * Trains the embedding network on faces-lfw-train with the additive-margin softmax (CosFace): each
 * training person is a class with a learned unit weight vector, the loss asks every face to be nearer its
 * own person's vector by a margin. Held-out people never train; their verification pairs calibrate the
 * same-person threshold and give the validation accuracy (validation.ts). The final epoch's weights are
 * kept: no choice is made on the validation pairs during a run.
 */
import {
  additiveMarginSoftmaxLoss, AdamW, CosineDecay, Generator, l2Normalize, manualSeed, matmul, parameter, type RawImage, randn, scope, tensor, ValueError, yieldToEventLoop,
} from 'tensile';
import { lfwTrain } from 'tensile/node';
import { chipBatch, FACE_FRACTION, faceChip, LFW_FACE_SIDE } from './face-chip.js';
import { DEFAULT_NET, embedderNet } from './network.js';
import { DEFAULT_RECIPE, type EmbedderRecipe } from './recipe.js';
import { balancedEpoch, groupByPerson, type LabelledFile, splitPeople } from './sampling.js';
import { FACE_EMBEDDER_FILE_VERSION, TrainedEmbedder } from './trained-embedder.node.js';
import { heldOutVerification } from './validation.js';

export interface TrainEmbedderOptions {
  readonly out: string;
  readonly epochs?: number;
  readonly seed?: number;
  /** Train on a slice: the first N people by name with at least 4 images (quick runs, tests). */
  readonly people?: number;
  /** People held out for validation (default the recipe's 150). */
  readonly validationPeople?: number;
}

export interface EpochLog {
  readonly epoch: number;
  readonly loss: number;
  readonly seconds: number;
  /** Two-fold held-out verification accuracy after the epoch. */
  readonly validationAccuracy: number;
}

export interface TrainEmbedderResult {
  readonly file: string;
  readonly embedder: TrainedEmbedder;
  readonly epochs: readonly EpochLog[];
  readonly trainSeconds: number;
}

/** Smallest person a `people` slice takes, so its held-out people still make same-person pairs. */
const SLICE_MIN_IMAGES = 4;

export async function trainEmbedder(options: TrainEmbedderOptions, log: (line: string) => void = () => {}): Promise<TrainEmbedderResult> {
  const seed = options.seed ?? 1;
  const recipe: EmbedderRecipe = {
    ...DEFAULT_RECIPE,
    epochs: options.epochs ?? DEFAULT_RECIPE.epochs,
    validationPeople: options.validationPeople ?? DEFAULT_RECIPE.validationPeople,
  };
  const net = DEFAULT_NET;
  manualSeed(seed);
  const started = performance.now();
  const data = await lfwTrain();
  let files: readonly LabelledFile[] = data.files;
  if (options.people !== undefined) {
    const counts = groupByPerson(files);
    const chosen = new Set([...counts.keys()].filter((label) => counts.get(label)!.length >= SLICE_MIN_IMAGES).sort((a, b) => a - b).slice(0, options.people));
    if (chosen.size < options.people) throw new ValueError(`--people ${options.people}: only ${chosen.size} people have at least ${SLICE_MIN_IMAGES} images`);
    files = files.filter((f) => chosen.has(f.label));
  }
  const split = splitPeople(files, recipe.validationPeople, seed);
  log(`faces-lfw-train: ${files.length} images; training on ${split.train.length} images of ${split.classes} people, validating on ${split.validation.length} images of ${split.validationPeople} held-out people`);

  const model = embedderNet(net, seed);
  const classWeights = parameter(randn([net.embeddingSize, split.classes], { std: 0.01, generator: new Generator(seed) }));
  const byPerson = groupByPerson(split.train);
  const generator = new Generator(seed + 100);
  const stepsPerEpoch = Math.floor(balancedEpoch(byPerson, recipe.capPerPerson, new Generator(seed)).length / recipe.batchSize);
  if (stepsPerEpoch === 0) throw new ValueError(`an epoch of ${split.train.length} training images holds no whole batch of ${recipe.batchSize}: take more people`);
  const totalSteps = stepsPerEpoch * recipe.epochs;
  const decoded = new Map<string, RawImage>();
  for (const file of files) decoded.set(file.path, data.decode(file.path));
  log(`decoded ${decoded.size} images in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const optimizer = new AdamW([...model.parameters(), classWeights], {
    learningRate: new CosineDecay({ initialLearningRate: recipe.learningRate, decaySteps: totalSteps, alpha: 0.01, warmupSteps: Math.min(recipe.warmupSteps, Math.floor(totalSteps / 4)) }),
    weightDecay: recipe.weightDecay,
  });

  const validationChips = split.validation.map((f) => faceChip(decoded.get(f.path)!, LFW_FACE_SIDE, net.inputSize));
  const validationLabels = split.validation.map((f) => f.label);
  const configOf = (threshold: number, training: Record<string, unknown>): TrainedEmbedder['config'] => ({
    format: 'tensile-face-embedder', version: FACE_EMBEDDER_FILE_VERSION, net, faceFraction: FACE_FRACTION, threshold,
    thresholdRule: `balanced-accuracy-optimal distance over every pair of the ${split.validationPeople} held-out training people's ${split.validation.length} images`,
    recipe, seed, training,
  });
  const probe = new TrainedEmbedder(model, configOf(0, {}));
  const validate = (): ReturnType<typeof heldOutVerification> => heldOutVerification(embedInBatches(probe, validationChips, recipe.batchSize), validationLabels);

  const epochs: EpochLog[] = [];
  const trainStarted = performance.now();
  for (let epoch = 1; epoch <= recipe.epochs; epoch++) {
    const epochStarted = performance.now();
    const order = balancedEpoch(byPerson, recipe.capPerPerson, generator);
    let lossSum = 0;
    let steps = 0;
    // Whole batches only: every step has the same shapes, so the WASM allocator's size classes are reused.
    for (let start = 0; start + recipe.batchSize <= order.length; start += recipe.batchSize) {
      const batch = order.slice(start, start + recipe.batchSize);
      const chips = batch.map((f) => faceChip(decoded.get(f.path)!, LFW_FACE_SIDE, net.inputSize, { generator, amount: recipe.jitter }));
      lossSum += scope(() => {
        const x = tensor(chipBatch(chips, net.inputSize), [batch.length, net.inputSize, net.inputSize, 3]);
        const labels = tensor(Int32Array.from(batch, (f) => f.label), [batch.length]);
        const cosines = matmul(l2Normalize(model.forward(x)), l2Normalize(classWeights, { axis: 0 }));
        const loss = additiveMarginSoftmaxLoss(cosines, labels, { scale: recipe.scale, margin: recipe.margin });
        optimizer.zeroGrad();
        loss.backward();
        optimizer.step();
        return loss.item();
      });
      steps++;
      if (steps % 20 === 0) log(`  epoch ${epoch} step ${steps}/${stepsPerEpoch}: loss ${(lossSum / steps).toFixed(3)}`);
      await yieldToEventLoop();
    }
    const validation = validate();
    const entry = { epoch, loss: lossSum / steps, seconds: (performance.now() - epochStarted) / 1000, validationAccuracy: validation.crossValidatedAccuracy };
    epochs.push(entry);
    log(`epoch ${epoch}/${recipe.epochs}: loss ${entry.loss.toFixed(3)}, held-out verification ${(100 * entry.validationAccuracy).toFixed(2)}%, ${entry.seconds.toFixed(0)} s`);
  }
  const trainSeconds = (performance.now() - trainStarted) / 1000;
  const final = validate();
  const embedder = new TrainedEmbedder(model, configOf(final.calibration.threshold, {
    images: files.length, trainImages: split.train.length, trainPeople: split.classes, validationImages: split.validation.length, validationPeople: split.validationPeople,
    stepsPerEpoch, trainSeconds, epochs,
    validation: { crossValidatedAccuracy: final.crossValidatedAccuracy, foldAccuracies: final.foldAccuracies, ...final.calibration },
  }));
  model.eval();
  await embedder.save(options.out);
  log(`held-out verification: ${(100 * final.crossValidatedAccuracy).toFixed(2)}% (two-fold across people), threshold ${final.calibration.threshold.toFixed(4)}; wrote ${options.out}`);
  return { file: options.out, embedder, epochs, trainSeconds };
}

/** Embeddings of `chips` in batches of exactly `batchSize` (the last padded with repeats of its first chip): the training step's shapes, so the WASM allocator reuses its blocks. */
function embedInBatches(embedder: TrainedEmbedder, chips: readonly RawImage[], batchSize: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let start = 0; start < chips.length; start += batchSize) {
    const batch = chips.slice(start, start + batchSize);
    const real = batch.length;
    while (batch.length < batchSize) batch.push(batch[0]!);
    out.push(...embedder.embedChips(batch, batchSize).slice(0, real));
  }
  return out;
}
