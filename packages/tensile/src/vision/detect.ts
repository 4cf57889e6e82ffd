/**
 * Sliding-window detection with a linear classifier over HOG windows: an image pyramid from the
 * smallest wanted object up, one HOG map per level read by every window (the window slides one cell at
 * a time), the scores of all windows of a level from one op (vision/window-scores.ts), then greedy
 * non-maximum suppression. Smaller minimum sizes than the window upsample the image. The pyramid, its
 * HOG maps and scores stay in the backend's memory; only the scores are read back.
 */
import { ValueError } from '../errors.js';
import { toGrayscale } from '../io/image-ops.js';
import type { RawImage } from '../io/raw-image.js';
import { tensor } from '../ops/creation.js';
import { scope } from '../tensor/lifetime.js';
import type { Tensor } from '../tensor/tensor.js';
import { nonMaximumSuppression, type Detection } from './boxes.js';
import { hog, HOG_CHANNELS } from './hog.js';
import { resizeGray } from './resize-gray.js';
import { windowScores } from './window-scores.js';
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

/** A pyramid level: the gray image resampled (float32 [height, width]), and its size relative to the original per axis. */
interface Level {
  readonly image: Tensor;
  readonly scaleX: number;
  readonly scaleY: number;
}

/**
 * The levels at `scales`: the first octave resampled from the image, each later level by halving the
 * level an octave above it (2×2 averaging), so that every level costs about its own size. `uint8`: the
 * levels are rounded to 8 bits, as resizing an 8-bit image does.
 */
function* pyramidLevels(gray: Tensor, uint8: boolean, scales: readonly number[], perOctave: number, window: number): Generator<Level> {
  const [grayHeight, grayWidth] = gray.shape as [number, number];
  const levels: Tensor[] = [];
  for (let i = 0; i < scales.length; i++) {
    const source = i >= perOctave ? levels[i - perOctave]! : gray;
    const [sourceHeight, sourceWidth] = source.shape as [number, number];
    const width = i >= perOctave ? Math.floor(sourceWidth / 2) : Math.round(grayWidth * scales[i]!);
    const height = i >= perOctave ? Math.floor(sourceHeight / 2) : Math.round(grayHeight * scales[i]!);
    if (width < window || height < window) return;
    const image = resizeGray(source, { width, height, method: width < sourceWidth ? 'area' : 'bilinear', uint8 });
    levels.push(image);
    yield { image, scaleX: width / grayWidth, scaleY: height / grayHeight };
  }
}

/** Gray pixels of an image as a float32 [height, width] tensor on the 0–255 scale. */
export function grayTensor(image: RawImage): Tensor {
  const gray = toGrayscale(image);
  // float32 from the pixels in one conversion as they are copied in.
  return tensor(gray.data, [gray.height, gray.width], { dtype: 'float32' });
}

const DETECT_OPTION_NAMES = optionNames<DetectOptions>()('classifier', 'minSize', 'maxSize', 'levelsPerOctave', 'threshold', 'maxOverlap', 'maxDetections');

/** Every window scoring at least the threshold, over all pyramid levels, before suppression. */
export function scoreWindows(image: RawImage, options: DetectOptions): Detection[] {
  checkOptions('scoreWindows', options, DETECT_OPTION_NAMES);
  const { classifier } = options;
  checkClassifier(classifier);
  const window = windowSize(classifier);
  const threshold = options.threshold ?? 0;
  const { cellSize, windowCells, bias } = classifier;
  const found: Detection[] = [];
  scope(() => {
    const gray = grayTensor(image);
    const [height, width] = gray.shape as [number, number];
    const weights = tensor(classifier.weights, [windowCells, windowCells, HOG_CHANNELS]);
    const perOctave = options.levelsPerOctave ?? 7;
    // An 8-bit photograph's pyramid is 8-bit too (as resizing its RawImage gives).
    const uint8 = image.data instanceof Uint8Array;
    for (const level of pyramidLevels(gray, uint8, pyramidScales(width, height, window, options), perOctave, window)) {
      const map = hog(level.image, { cellSize });
      const scores = windowScores(map, weights);
      const positionsX = scores.shape[1]!;
      const values = scores.dataSync();
      for (let i = 0; i < values.length; i++) {
        const score = values[i]! + bias;
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
