/**
 * The trained face detector as a model file: one safetensors file holding the window weights
 * (`weights`, [windowCells, windowCells, 31]) and, under the metadata key `tensile.faces.detector`, the
 * versioned JSON config (geometry, bias, default threshold, recipe, training summary).
 *
 * ```ts
 * const detector = await FaceDetector.load('detector-seed1');      // runs/faces/detector-seed1.safetensors
 * detector.detect(photo, { minSize: 36 });                          // [{ x, y, width, height, score }]
 * ```
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { decodeSafetensors, detectFaces, encodeSafetensors, HOG_CHANNELS, ModelFileError, tensor, type Detection, type HogWindowClassifier, type RawImage } from 'tensile';
import { writeFileAtomic } from 'tensile/node';
import { describeModelFile, FACE_DETECTOR_KEY } from '../model-kinds.js';
import type { DetectorRecipe } from './recipe.js';

const FORMAT = 'tensile-face-detector';
export const FACE_DETECTOR_FILE_VERSION = 1;
/** Where models named without a path live. */
export const DEFAULT_MODEL_DIR = 'runs/faces';

export interface FaceDetectorConfig {
  readonly format: typeof FORMAT;
  readonly version: number;
  readonly cellSize: number;
  readonly windowCells: number;
  readonly bias: number;
  /** Default score above which a window is a face. */
  readonly threshold: number;
  /** How the threshold was chosen. */
  readonly thresholdRule: string;
  readonly recipe: DetectorRecipe;
  readonly seed: number;
  /** Facts about training (sample counts, mining rounds, timings, held-out metrics). */
  readonly training: Readonly<Record<string, unknown>>;
}

export interface FaceDetectOptions {
  /** Smallest face side in pixels (default the window side, 36). */
  readonly minSize?: number;
  /** Overrides the model's threshold. */
  readonly threshold?: number;
  /** Keep at most this many faces, the best. */
  readonly maxDetections?: number;
}

export class FaceDetector {
  constructor(
    readonly weights: Float32Array,
    readonly config: FaceDetectorConfig,
  ) {}

  get classifier(): HogWindowClassifier {
    const { cellSize, windowCells, bias } = this.config;
    return { cellSize, windowCells, bias, weights: this.weights };
  }

  /** Faces in a photograph, best first (no faces: an empty list). */
  detect(image: RawImage, options: FaceDetectOptions = {}): Detection[] {
    return detectFaces(image, {
      classifier: this.classifier,
      minSize: options.minSize,
      threshold: options.threshold ?? this.config.threshold,
      maxDetections: options.maxDetections,
      levelsPerOctave: this.config.recipe.levelsPerOctave,
    });
  }

  toBytes(): Uint8Array {
    const { windowCells } = this.config;
    const weights = tensor(this.weights, [windowCells, windowCells, HOG_CHANNELS]);
    const bytes = encodeSafetensors({ weights }, { format: 'pt', [FACE_DETECTOR_KEY]: JSON.stringify(this.config) });
    weights.dispose();
    return bytes;
  }

  static fromBytes(bytes: Uint8Array, file: string): FaceDetector {
    const { tensors, metadata } = decodeSafetensors(bytes, file);
    const text = metadata[FACE_DETECTOR_KEY];
    if (text === undefined) throw new ModelFileError(file, `is ${describeModelFile(metadata)}, not a face detector`);
    const config = JSON.parse(text) as FaceDetectorConfig;
    if (config.format !== FORMAT || config.version !== FACE_DETECTOR_FILE_VERSION) {
      throw new ModelFileError(file, `holds format ${String(config.format)} version ${String(config.version)}, expected ${FORMAT} version ${FACE_DETECTOR_FILE_VERSION}`);
    }
    const weights = tensors['weights'];
    if (weights === undefined) throw new ModelFileError(file, "has no 'weights' tensor");
    const values = Float32Array.from(weights.dataSync());
    for (const t of Object.values(tensors)) t.dispose();
    if (values.length !== config.windowCells * config.windowCells * HOG_CHANNELS) {
      throw new ModelFileError(file, `has ${values.length} weights, a ${config.windowCells}×${config.windowCells}-cell window needs ${config.windowCells ** 2 * HOG_CHANNELS}`);
    }
    return new FaceDetector(values, config);
  }

  /** Writes the model atomically. */
  async save(file: string): Promise<void> {
    await writeFileAtomic(file, this.toBytes());
  }

  /** A model by path, or by name in `runs/faces/` (`detector-seed1` → `runs/faces/detector-seed1.safetensors`). */
  static async load(nameOrPath: string): Promise<FaceDetector> {
    const file = resolveModel(nameOrPath);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await fs.readFile(file));
    } catch (error) {
      throw new ModelFileError(file, `cannot be read (${(error as Error).message})`);
    }
    return FaceDetector.fromBytes(bytes, file);
  }
}

export function resolveModel(nameOrPath: string): string {
  const isName = !nameOrPath.includes('/') && !nameOrPath.includes(path.sep) && path.extname(nameOrPath) === '';
  return isName ? path.join(DEFAULT_MODEL_DIR, `${nameOrPath}.safetensors`) : nameOrPath;
}
