/**
 * What every face embedder offers the face applications (verification, identification, the access-control
 * service): the network trained in Tensile (`trained`) and face-api's imported recogniser (`face-api`).
 */
import type { RawImage, Rect } from 'tensile';
import type { OpenSetRule } from './open-set.js';

export type EmbedderKind = 'trained' | 'face-api';

export interface FaceEmbedder {
  readonly kind: EmbedderKind;
  /** Length of every embedding. */
  readonly size: number;
  /** Euclidean distance between unit embeddings below which two faces are the same person, calibrated when the model was made. */
  readonly threshold: number;
  /** The allow distance by gallery size for one-to-many identification, when the embedder has been calibrated for it. */
  readonly openSet?: OpenSetRule;
  /**
   * One unit-length embedding per photograph, framed as LFW frames its photographs: centred on one face that
   * fills about half of the shorter side. Tight face crops must be framed that way first (`faces orl` pads
   * ORL's crops, orl/embedder-input.ts); the embedder aligns the face the way its network was trained.
   */
  embed(images: readonly RawImage[]): Promise<Float32Array[]>;
  /**
   * One unit-length embedding per face a detector found (its box in the photograph's pixels), for embedders
   * that frame a detected face themselves, more cheaply than from an LFW-framed photograph. Embedders without
   * it are given each face framed the LFW way (`lfwFrameOf`).
   */
  embedFaces?(faces: readonly DetectedFace[]): Promise<Float32Array[]>;
}

/** A face a detector found: the photograph and the face's box in it. */
export interface DetectedFace {
  readonly photo: RawImage;
  readonly box: Rect;
}

/** Euclidean distance between two embeddings of the same size. */
export function embeddingDistance(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new RangeError(`embeddingDistance: sizes differ: ${a.length} vs ${b.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  return Math.sqrt(sum);
}
