/**
 * Sliding-window detection with a linear classifier over HOG windows: an image pyramid from the
 * smallest wanted object up, one HOG map per level read by every window (the window slides one cell at
 * a time), the scores from one matrix product per level, then greedy non-maximum suppression. Smaller minimum sizes than the window upsample the image.
 */
import { ValueError } from '../errors.js';
import { resize, toGrayscale } from '../io/image-ops.js';
import type { RawImage } from '../io/raw-image.js';
import { matmul } from '../ops/matmul.js';
import { transpose } from '../ops/permute.js';
import { tensor } from '../ops/creation.js';
import { reshape } from '../ops/reshape.js';
import { scope } from '../tensor/lifetime.js';
import type { Tensor } from '../tensor/tensor.js';
import { nonMaximumSuppression, type Detection } from './boxes.js';
import { hog, HOG_CHANNELS } from './hog.js';
import { checkOptions, optionNames } from '../options.js';

/** A linear classifier of square HOG windows: score = weights · features + bias. */
export interface HogWindowClassifier {
  readonly cellSize: number;
  /** Side of the window in cells; the window is cellSize · windowCells pixels square. */
  readonly windowCells: number;
  /** [windowCells, windowCells, 31] float32, laid out as the HOG map. */
  readonly weights: Float32Array;
  readonly bias: number;
}

export interface DetectOptions {
  /** The trained window classifier (e.g. a face detector's). */
  readonly classifier: HogWindowClassifier;
  /** Smallest object side in pixels (default the window side); below the window side the image is upsampled. */
  readonly minSize?: number;
  /** Largest object side in pixels (default the image's shorter side). */
  readonly maxSize?: number;
  /** Pyramid levels per halving of the image size (default 7: neighbouring levels 2^(1/7) ≈ 1.10 apart). */
  readonly levelsPerOctave?: number;
  /** Windows scoring below this are not detections (default 0). */
  readonly threshold?: number;
  /** Of boxes overlapping by more than this IoU only the best is kept (default 0.3). */
  readonly maxOverlap?: number;
  /** Keep at most this many boxes, the best (default all). */
  readonly maxDetections?: number;
}

/** Side of a classifier's window in pixels. */
export function windowSize(classifier: HogWindowClassifier): number {
  return classifier.cellSize * classifier.windowCells;
}

function checkClassifier(c: HogWindowClassifier): void {
  const expected = c.windowCells * c.windowCells * HOG_CHANNELS;
  if (c.weights.length !== expected) {
    throw new ValueError(`detect: classifier has ${c.weights.length} weights, a ${c.windowCells}×${c.windowCells}-cell window needs ${expected}`);
  }
}

/** Pyramid scales (image pixels → level pixels), largest first, covering objects of minSize … maxSize pixels. */
export function pyramidScales(width: number, height: number, window: number, options: Omit<DetectOptions, 'classifier'>): number[] {
  const minSize = options.minSize ?? window;
  const maxSize = Math.min(options.maxSize ?? Infinity, width, height);
  const perOctave = options.levelsPerOctave ?? 7;
  if (!(minSize > 0)) throw new ValueError(`detect: minSize must be positive, got ${minSize}`);
  if (!Number.isInteger(perOctave) || perOctave < 1) throw new ValueError(`detect: levelsPerOctave must be a positive integer, got ${perOctave}`);
  const scales: number[] = [];
  for (let level = 0; minSize * 2 ** (level / perOctave) <= maxSize; level++) scales.push(window / (minSize * 2 ** (level / perOctave)));
  return scales;
}

/** A pyramid level: the gray image resampled, and its size relative to the original per axis. */
interface Level {
  readonly image: RawImage;
  readonly scaleX: number;
  readonly scaleY: number;
}

/**
 * The levels at `scales`: the first octave resampled from the image, each later level by halving the
 * level an octave above it (2×2 averaging), so that every level costs about its own size.
 */
function* pyramidLevels(gray: RawImage, scales: readonly number[], perOctave: number, window: number): Generator<Level> {
  const levels: Level[] = [];
  for (let i = 0; i < scales.length; i++) {
    const source = i >= perOctave ? levels[i - perOctave]!.image : gray;
    const width = i >= perOctave ? Math.floor(source.width / 2) : Math.round(gray.width * scales[i]!);
    const height = i >= perOctave ? Math.floor(source.height / 2) : Math.round(gray.height * scales[i]!);
    if (width < window || height < window) return;
    const image = resize(source, width, height, width < source.width ? 'area' : 'bilinear');
    levels.push({ image, scaleX: width / gray.width, scaleY: height / gray.height });
    yield levels[i]!;
  }
}

/** Gray pixels of an image as a float32 [height, width] tensor on the 0–255 scale. */
export function grayTensor(image: RawImage): Tensor {
  const gray = toGrayscale(image);
  return tensor(Float32Array.from(gray.data), [gray.height, gray.width]);
}

/**
 * Scores of every window position of a HOG map: the map times the weights of each of the window's
 * cells in one product ([cells, 31]·[31, windowCells²]), then each position sums its cells' products.
 */
function windowScores(map: Tensor, weightsByCell: Tensor, windowCells: number): { scores: Float32Array; positionsX: number } {
  const [cellsY, cellsX] = map.shape as [number, number];
  const perCell = matmul(reshape(map, [cellsY * cellsX, HOG_CHANNELS]), weightsByCell).dataSync();
  const positionsX = cellsX - windowCells + 1;
  const positionsY = cellsY - windowCells + 1;
  const cellsPerWindow = windowCells * windowCells;
  const scores = new Float32Array(positionsY * positionsX);
  for (let a = 0; a < windowCells; a++) {
    for (let b = 0; b < windowCells; b++) {
      const k = a * windowCells + b;
      for (let y = 0; y < positionsY; y++) {
        let from = ((y + a) * cellsX + b) * cellsPerWindow + k;
        const row = y * positionsX;
        for (let x = 0; x < positionsX; x++, from += cellsPerWindow) scores[row + x] += perCell[from]!;
      }
    }
  }
  return { scores, positionsX };
}

const DETECT_OPTION_NAMES = optionNames<DetectOptions>()('classifier', 'minSize', 'maxSize', 'levelsPerOctave', 'threshold', 'maxOverlap', 'maxDetections');

/** Every window scoring at least the threshold, over all pyramid levels, before suppression. */
export function scoreWindows(image: RawImage, options: DetectOptions): Detection[] {
  checkOptions('scoreWindows', options, DETECT_OPTION_NAMES);
  const { classifier } = options;
  checkClassifier(classifier);
  const window = windowSize(classifier);
  const threshold = options.threshold ?? 0;
  const gray = toGrayscale(image);
  const { cellSize, windowCells, bias } = classifier;
  const found: Detection[] = [];
  scope(() => {
    // [windowCells², 31] → [31, windowCells²]: column k holds the weights of the window's k-th cell.
    const weightsByCell = transpose(reshape(tensor(classifier.weights), [windowCells * windowCells, HOG_CHANNELS]));
    const perOctave = options.levelsPerOctave ?? 7;
    for (const level of pyramidLevels(gray, pyramidScales(gray.width, gray.height, window, options), perOctave, window)) {
      const { width, height, data } = level.image;
      const map = hog(tensor(new Float32Array(data), [height, width]), { cellSize });
      const { scores, positionsX } = windowScores(map, weightsByCell, windowCells);
      for (let i = 0; i < scores.length; i++) {
        const score = scores[i]! + bias;
        if (score < threshold) continue;
        const x = ((i % positionsX) * cellSize) / level.scaleX;
        const y = (Math.floor(i / positionsX) * cellSize) / level.scaleY;
        found.push({ x, y, width: window / level.scaleX, height: window / level.scaleY, score });
      }
    }
  });
  return found;
}

/**
 * Faces (the objects of a face classifier) in a photograph: boxes with scores, best first. An image
 * smaller than the window, or without anything scoring above the threshold, gives no boxes.
 */
export function detectFaces(image: RawImage, options: DetectOptions): Detection[] {
  checkOptions('detectFaces', options, DETECT_OPTION_NAMES);
  return nonMaximumSuppression(scoreWindows(image, options), options.maxOverlap ?? 0.3, options.maxDetections);
}
