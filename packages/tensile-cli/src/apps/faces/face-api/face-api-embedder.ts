/**
 * The imported face-api recogniser as a `FaceEmbedder`: photo → 68 landmarks → aligned 150×150 chip →
 * 128-d unit embedding. Landmarks come in two passes of the landmark network: first on a centred square
 * (a face crop, or an LFW photo, which is centred on its face), then on the square around the first
 * pass's landmarks, so that the second pass sees the face framed as the network was trained to see it.
 */
import { RawImage, tensor, ValueError, yieldToEventLoop } from 'tensile';
import { alignFace, type Point, squareChip } from '../alignment.js';
import type { EmbedderKind, FaceEmbedder } from '../embedder.js';
import { FACE_API_OPEN_SET } from './open-set-rule.js';
import { LANDMARK_COUNT, LANDMARK_INPUT_SIZE, type FaceLandmarkNet } from './landmark-net.js';
import { EMBEDDING_SIZE, RECOGNITION_INPUT_SIZE, type FaceRecognitionNet } from './recognition-net.js';

export interface FaceApiEmbedderOptions {
  /** Side of the first pass's centred square, as a fraction of the photo's shorter side. Default 0.5 (LFW photos); use 1 for face crops. */
  readonly centerCrop?: number;
  /** Side of the second pass's square, as a multiple of the first pass's landmark extent. Default 1.2. */
  readonly refineScale?: number;
  /** Distance threshold between unit embeddings; default FACE_API_THRESHOLD. */
  readonly threshold?: number;
}

/**
 * Same-person threshold on unit embeddings, calibrated on the 115 LFW identity-training people (never the
 * DevTest pairs), by `tensile faces calibrate-face-api` (docs/faces/face-api-NOTES.md): balanced accuracy 98.72% on their 5,175 same-person and 655,500 different-person pairs.
 */
export const FACE_API_THRESHOLD = 0.4301;

function rgb(image: RawImage): RawImage {
  if (image.channels === 3) return image;
  if (image.channels !== 1 && image.channels !== 4) throw new ValueError(`FaceApiEmbedder: images must be gray, RGB or RGBA, got ${image.channels} channels`);
  const out = new Uint8Array(image.width * image.height * 3);
  for (let p = 0; p < image.width * image.height; p++) {
    for (let c = 0; c < 3; c++) out[3 * p + c] = image.data[p * image.channels + (image.channels === 1 ? 0 : c)]!;
  }
  return new RawImage(out, image.width, image.height, 3);
}

function toBatch(chips: readonly RawImage[], size: number): Float32Array {
  const data = new Float32Array(chips.length * size * size * 3);
  chips.forEach((chip, i) => data.set(chip.data, i * size * size * 3));
  return data;
}

export class FaceApiEmbedder implements FaceEmbedder {
  readonly kind: EmbedderKind = 'face-api';
  readonly size = EMBEDDING_SIZE;
  readonly threshold: number;
  readonly openSet = FACE_API_OPEN_SET;
  private readonly centerCrop: number;
  private readonly refineScale: number;

  constructor(
    private readonly recognition: FaceRecognitionNet,
    private readonly landmarkNet: FaceLandmarkNet,
    options: FaceApiEmbedderOptions = {},
  ) {
    this.centerCrop = options.centerCrop ?? 0.5;
    this.refineScale = options.refineScale ?? 1.2;
    this.threshold = options.threshold ?? FACE_API_THRESHOLD;
    if (!(this.centerCrop > 0 && this.centerCrop <= 1)) throw new ValueError(`FaceApiEmbedder: centerCrop must be in (0, 1], got ${this.centerCrop}`);
    if (!(this.refineScale > 0)) throw new ValueError(`FaceApiEmbedder: refineScale must be positive, got ${this.refineScale}`);
  }

  /** Landmarks of the face in each square box [left, top, side] of its image, in image pixel coordinates. */
  private landmarksIn(images: readonly RawImage[], boxes: readonly (readonly [number, number, number])[]): Point[][] {
    const chips = images.map((image, i) => squareChip(image, ...boxes[i]!, LANDMARK_INPUT_SIZE));
    const out = this.landmarkNet.forward(tensor(toBatch(chips, LANDMARK_INPUT_SIZE), [images.length, LANDMARK_INPUT_SIZE, LANDMARK_INPUT_SIZE, 3])).dataSync();
    return boxes.map(([left, top, side], i) =>
      Array.from({ length: LANDMARK_COUNT }, (_, k) => ({ x: left + side * out[(i * LANDMARK_COUNT + k) * 2]!, y: top + side * out[(i * LANDMARK_COUNT + k) * 2 + 1]! })));
  }

  /** 68 landmarks per photograph (image pixel coordinates), after both passes. */
  landmarks(images: readonly RawImage[]): Point[][] {
    const photos = images.map(rgb);
    const first = this.landmarksIn(photos, photos.map((image) => {
      const side = this.centerCrop * Math.min(image.width, image.height);
      return [(image.width - side) / 2, (image.height - side) / 2, side] as const;
    }));
    return this.landmarksIn(photos, first.map((points) => {
      const xs = points.map((p) => p.x);
      const ys = points.map((p) => p.y);
      const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
      const side = this.refineScale * Math.max(x1 - x0, y1 - y0);
      return [(x0 + x1 - side) / 2, (y0 + y1 - side) / 2, side] as const;
    }));
  }

  /** Raw embeddings (dlib's descriptors, not normalised) of aligned 150×150 RGB chips. */
  describe(chips: readonly RawImage[]): Float32Array[] {
    for (const chip of chips) {
      if (chip.width !== RECOGNITION_INPUT_SIZE || chip.height !== RECOGNITION_INPUT_SIZE || chip.channels !== 3) {
        throw new ValueError(`FaceApiEmbedder: aligned chips must be ${RECOGNITION_INPUT_SIZE}×${RECOGNITION_INPUT_SIZE} RGB, got ${chip.width}×${chip.height}×${chip.channels}`);
      }
    }
    const out = this.recognition.forward(tensor(toBatch(chips, RECOGNITION_INPUT_SIZE), [chips.length, RECOGNITION_INPUT_SIZE, RECOGNITION_INPUT_SIZE, 3])).dataSync();
    return chips.map((_, i) => Float32Array.from(out.subarray(i * EMBEDDING_SIZE, (i + 1) * EMBEDDING_SIZE)));
  }

  /** The aligned 150×150 chip of each photograph. */
  align(images: readonly RawImage[]): RawImage[] {
    const landmarks = this.landmarks(images);
    return images.map((image, i) => alignFace(rgb(image), landmarks[i]!, RECOGNITION_INPUT_SIZE));
  }

  async embed(images: readonly RawImage[]): Promise<Float32Array[]> {
    const embeddings: Float32Array[] = [];
    // Batches of 16 keep the activations of the 150×150 network small.
    for (let start = 0; start < images.length; start += 16) {
      for (const e of this.describe(this.align(images.slice(start, start + 16)))) {
        const norm = Math.hypot(...e);
        embeddings.push(e.map((v) => v / norm));
      }
      await yieldToEventLoop();
    }
    return embeddings;
  }
}
