/**
 * The imported face-api recogniser as a `FaceEmbedder`: photo → 68 landmarks → aligned 150×150 chip →
 * 128-d unit embedding. Landmarks come in two passes of the landmark network: first on a centred square
 * (a face crop, or an LFW photo, which is centred on its face), then on the square around the first
 * pass's landmarks, so that the second pass sees the face framed as the network was trained to see it.
 * A face a detector found needs only the second pass: its box predicts that square (`DETECTED_FACE_SQUARE`).
 */
import { RawImage, tensor, ValueError, yieldToEventLoop } from 'tensile';
import { alignFace, type Point, squareChip } from '../alignment.js';
import type { DetectedFace, EmbedderKind, FaceEmbedder } from '../embedder.js';
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

/**
 * The second landmark pass's square for a face box of the HOG detector (`detector-seed1`), in box sides:
 * its centre `dx`, `dy` from the box's centre and its `side`. Medians, over 166 faces-lfw-train photographs,
 * of the square the two passes give on the centred photograph (docs/faces/NOTES.md, "Service: the face
 * detector in the pipeline"); a detector that frames faces differently needs its own.
 */
export const DETECTED_FACE_SQUARE = { dx: -0.035, dy: 0.097, side: 0.92 } as const;

/** How far (centre shift or change of side, as a fraction of the side) a detected face's square may be from where its landmarks want it before a second pass reads the latter. */
export const REFRAME_TOLERANCE = 0.1;

/** A square region of a photograph: left, top, side, in pixels. */
type Square = readonly [number, number, number];

function farApart([left, top, side]: Square, [wantedLeft, wantedTop, wantedSide]: Square): boolean {
  const shift = Math.hypot(wantedLeft + wantedSide / 2 - (left + side / 2), wantedTop + wantedSide / 2 - (top + side / 2));
  return shift > REFRAME_TOLERANCE * side || Math.abs(wantedSide / side - 1) > REFRAME_TOLERANCE;
}

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
  private landmarksIn(images: readonly RawImage[], boxes: readonly Square[]): Point[][] {
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
    return this.landmarksIn(photos, first.map((points) => this.squareAround(points)));
  }

  /** The square [left, top, side] the second pass reads: `refineScale` times the landmarks' extent, around them. */
  private squareAround(points: readonly Point[]): Square {
    const xs = points.map((p) => p.x);
    const ys = points.map((p) => p.y);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const side = this.refineScale * Math.max(x1 - x0, y1 - y0);
    return [(x0 + x1 - side) / 2, (y0 + y1 - side) / 2, side];
  }

  /**
   * 68 landmarks of each detected face (photograph pixel coordinates): one pass on the square its box
   * predicts, and a second pass only for the faces whose landmarks call for a square more than
   * `REFRAME_TOLERANCE` away from it (the box framed the face unlike LFW's faces).
   */
  detectedLandmarks(faces: readonly DetectedFace[]): Point[][] {
    const { dx, dy, side } = DETECTED_FACE_SQUARE;
    const photos = faces.map((face) => rgb(face.photo));
    const squares = faces.map(({ box }): Square => {
      const s = side * box.width;
      return [box.x + (0.5 + dx) * box.width - s / 2, box.y + box.height / 2 + dy * box.width - s / 2, s];
    });
    const landmarks = this.landmarksIn(photos, squares);
    const reframe = landmarks.flatMap((points, i) => {
      const wanted = this.squareAround(points);
      return farApart(squares[i]!, wanted) ? [{ i, wanted }] : [];
    });
    if (reframe.length > 0) {
      const again = this.landmarksIn(reframe.map(({ i }) => photos[i]!), reframe.map(({ wanted }) => wanted));
      reframe.forEach(({ i }, k) => (landmarks[i] = again[k]!));
    }
    return landmarks;
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

  /** The aligned 150×150 chip of each detected face. */
  alignDetected(faces: readonly DetectedFace[]): RawImage[] {
    const landmarks = this.detectedLandmarks(faces);
    return faces.map((face, i) => alignFace(rgb(face.photo), landmarks[i]!, RECOGNITION_INPUT_SIZE));
  }

  embed(images: readonly RawImage[]): Promise<Float32Array[]> {
    return this.embedAligned(images, (batch) => this.align(batch));
  }

  /** Faces a detector found, with one landmark pass instead of two (`DETECTED_FACE_SQUARE`). */
  embedFaces(faces: readonly DetectedFace[]): Promise<Float32Array[]> {
    return this.embedAligned(faces, (batch) => this.alignDetected(batch));
  }

  private async embedAligned<T>(items: readonly T[], align: (batch: readonly T[]) => RawImage[]): Promise<Float32Array[]> {
    const embeddings: Float32Array[] = [];
    // Batches of 16 keep the activations of the 150×150 network small.
    for (let start = 0; start < items.length; start += 16) {
      for (const e of this.describe(align(items.slice(start, start + 16)))) {
        const norm = Math.hypot(...e);
        embeddings.push(e.map((v) => v / norm));
      }
      await yieldToEventLoop();
    }
    return embeddings;
  }
}
