/**
 * Training a face detector: HOG features of the face crops and their mirror images against random
 * non-face windows, a linear SVM, then rounds of hard-negative mining — windows of the training scenes
 * the current detector scores above −1 (inside the margin) join the negatives and the SVM is trained
 * again — until a round adds few new windows. The default threshold is then read off the held-out
 * validation photographs.
 */
import { flipHorizontal, Generator, type RawImage } from 'tensile';
import { averagePrecision, matchDetections, thresholdForPrecision } from './average-precision.js';
import type { DetectorData, Scene } from './data.node.js';
import { boxFeatures, windowFeatures, type WindowShape } from './features.js';
import { FACE_DETECTOR_FILE_VERSION, FaceDetector } from './model-file.node.js';
import { WINDOW_PIXELS, type DetectorRecipe } from './recipe.js';
import { trainLinearSvm, type LabeledFeatures, type LinearModel } from './svm.js';
import { detectOnPhotos, validationPhotos } from './validation-photos.js';

/** Windows scoring above this are inside the margin: hard negatives when they hold no face. */
const MINING_SCORE = -1;
/** Detections below this score are too weak to matter for the precision–recall curve. */
export const SCORE_FLOOR = -1;
/** The default threshold keeps precision at least this on the validation photographs. */
const THRESHOLD_PRECISION = 0.9;
/** Seed of the validation photographs (fixed: every variant is compared on the same ones). */
const VALIDATION_SEED = 7;

export interface HeldOutMetrics {
  readonly ap50: number;
  readonly ap30: number;
  readonly threshold: number;
  readonly photos: number;
  readonly faces: number;
}

function randomNegatives(scenes: readonly Scene[], count: number, shape: WindowShape, random: Generator): Float32Array[] {
  const usable = scenes.filter((s) => Math.min(s.image.width, s.image.height) >= WINDOW_PIXELS);
  return Array.from({ length: usable.length === 0 ? 0 : count }, (_, i) => {
    const { image } = usable[i % usable.length]!;
    const side = Math.floor(WINDOW_PIXELS * (Math.min(image.width, image.height) / WINDOW_PIXELS) ** random.random());
    const x = Math.floor(random.random() * (image.width - side + 1));
    const y = Math.floor(random.random() * (image.height - side + 1));
    return boxFeatures(image, { x, y, width: side, height: side }, shape);
  });
}

function detectorFrom(model: LinearModel, recipe: DetectorRecipe, seed: number, threshold: number, training: Record<string, unknown>): FaceDetector {
  return new FaceDetector(model.weights, {
    format: 'tensile-face-detector',
    version: FACE_DETECTOR_FILE_VERSION,
    cellSize: recipe.cellSize,
    windowCells: WINDOW_PIXELS / recipe.cellSize,
    bias: model.bias,
    threshold,
    thresholdRule: `lowest score keeping precision ≥ ${THRESHOLD_PRECISION} at IoU 0.5 on the held-out validation photographs`,
    recipe,
    seed,
    training,
  });
}

/** AP and the precision-rule threshold on the held-out photographs (faces pasted into held-out scenes). */
export function heldOutMetrics(detector: FaceDetector, faces: readonly RawImage[], scenes: readonly Scene[]): HeldOutMetrics {
  const photos = validationPhotos(faces, scenes, VALIDATION_SEED);
  const results = detectOnPhotos(photos, (image) => detector.detect(image, { threshold: SCORE_FLOOR }));
  const at50 = matchDetections(results, 0.5);
  return {
    ap50: averagePrecision(at50),
    ap30: averagePrecision(matchDetections(results, 0.3)),
    threshold: thresholdForPrecision(at50, THRESHOLD_PRECISION),
    photos: photos.length,
    faces: at50.positives,
  };
}

export function trainFaceDetector(data: DetectorData, recipe: DetectorRecipe, seed: number, log: (line: string) => void = () => {}): FaceDetector {
  const started = performance.now();
  const shape: WindowShape = { cellSize: recipe.cellSize, windowCells: WINDOW_PIXELS / recipe.cellSize };
  const random = new Generator(seed);
  const positives = data.trainFaces.flatMap((face) => [windowFeatures(face, shape), windowFeatures(flipHorizontal(face), shape)]);
  const negatives = randomNegatives(data.trainScenes, recipe.initialNegatives, shape, random);
  const width = positives[0]?.length ?? 0;
  const labeled = (): LabeledFeatures => ({ width, rows: [...positives, ...negatives], labels: [...positives.map(() => 1 as const), ...negatives.map(() => -1 as const)] });
  const svm = (warm?: LinearModel): LinearModel =>
    trainLinearSvm(labeled(), { lambda: recipe.lambda, epochs: recipe.epochs, batchSize: recipe.batchSize, learningRate: recipe.learningRate, seed }, warm);
  log(`seed ${seed}: ${positives.length} face windows (with mirrors), ${negatives.length} random non-face windows`);
  let model = svm();
  const mined = new Set<string>();
  const rounds: number[] = [];
  for (let round = 1; round <= recipe.maxMiningRounds; round++) {
    const current = detectorFrom(model, recipe, seed, MINING_SCORE, {});
    let added = 0;
    for (const scene of data.trainScenes) {
      for (const box of current.detect(scene.image, { maxDetections: recipe.minedPerScene })) {
        const key = `${scene.name}:${Math.round(box.x)}:${Math.round(box.y)}:${Math.round(box.width)}`;
        if (mined.has(key)) continue;
        mined.add(key);
        negatives.push(boxFeatures(scene.image, box, shape));
        added++;
      }
    }
    rounds.push(added);
    log(`seed ${seed}: mining round ${round} added ${added} hard negatives (${negatives.length} in all)`);
    if (added > 0) model = svm(model);
    if (added < recipe.miningStopFraction * negatives.length) break;
  }
  const trainSeconds = (performance.now() - started) / 1000;
  const provisional = detectorFrom(model, recipe, seed, 0, {});
  const heldOut = heldOutMetrics(provisional, data.heldOutFaces, data.heldOutScenes);
  log(`seed ${seed}: trained in ${trainSeconds.toFixed(0)} s; held-out AP@0.5 ${heldOut.ap50.toFixed(4)}, threshold ${heldOut.threshold.toFixed(3)}`);
  return detectorFrom(model, recipe, seed, Number.isFinite(heldOut.threshold) ? heldOut.threshold : 0, {
    faceWindows: positives.length,
    randomNegatives: recipe.initialNegatives,
    minedPerRound: rounds,
    negatives: negatives.length,
    trainSeconds,
    heldOut,
  });
}
