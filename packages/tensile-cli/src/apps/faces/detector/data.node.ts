/**
 * The detector's training data, split once and for all: a fixed tenth of the Caltech face crops and of
 * the non-face scenes is held out for choosing settings (never trained on); the CMU+MIT photographs
 * are only read by the evaluation.
 */
import path from 'node:path';
import { decodeImage, Generator, toGrayscale, type RawImage } from 'tensile';
import { datasets, readFileBytes } from 'tensile/node';

/** Seed of the held-out split: fixed, independent of the training seeds. */
const SPLIT_SEED = 2026;
const HELD_OUT_FRACTION = 0.1;

export interface Scene {
  readonly name: string;
  readonly image: RawImage;
}

export interface DetectorData {
  readonly trainFaces: readonly RawImage[];
  readonly trainScenes: readonly Scene[];
  readonly heldOutFaces: readonly RawImage[];
  readonly heldOutScenes: readonly Scene[];
}

export interface DataLimits {
  /** Use only this many face crops (tests, quick runs). */
  readonly faces?: number;
  /** Use only this many scenes. */
  readonly scenes?: number;
}

function splitHeldOut<T>(items: readonly T[]): { train: T[]; heldOut: T[] } {
  const order = new Generator(SPLIT_SEED).shuffle(Array.from({ length: items.length }, (_, i) => i));
  const cut = Math.round(items.length * HELD_OUT_FRACTION);
  return { heldOut: order.slice(0, cut).map((i) => items[i]!), train: order.slice(cut).map((i) => items[i]!) };
}

/** Decodes the gray crops and scenes (every file is checked by its decoder) and splits them. */
export async function loadDetectorData(limits: DataLimits = {}): Promise<DetectorData> {
  const { train } = await datasets.faceDetection();
  const faces = train.positives.slice(0, limits.faces).map(({ name, data }) => toGrayscale(decodeImage(data, name)));
  const scenePaths = train.negativeScenes.slice(0, limits.scenes);
  const scenes: Scene[] = [];
  for (const file of scenePaths) scenes.push({ name: path.basename(file), image: toGrayscale(decodeImage(await readFileBytes(file), file)) });
  const f = splitHeldOut(faces);
  const s = splitHeldOut(scenes);
  return { trainFaces: f.train, heldOutFaces: f.heldOut, trainScenes: s.train, heldOutScenes: s.heldOut };
}
