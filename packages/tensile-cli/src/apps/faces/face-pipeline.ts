/**
 * What the access-control service needs from the face stack: a photograph in, every face found out,
 * each with its box, the crop shown to the administrator and its embedding. The detector and the
 * embedders are built elsewhere; `embedderPipeline` joins them behind this interface.
 */
import type { RawImage } from 'tensile';
import type { OpenSetRule } from './open-set.js';

/** A face's place in the photograph, in pixels. */
export interface FaceBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface AnalysedFace {
  readonly box: FaceBox;
  /** The face as the administrator sees it (RGB). */
  readonly crop: RawImage;
  /** Unit-length embedding; faces closer than the pipeline's threshold are the same person. */
  readonly embedding: Float32Array;
}

export interface FacePipeline {
  /** Names the embedder; embeddings of different embedders are never compared. */
  readonly embedder: string;
  readonly embeddingSize: number;
  /** The match threshold calibrated with the embedder (Euclidean distance between unit embeddings). */
  readonly threshold: number;
  /** The embedder's allow distance by gallery size, when it has been calibrated for identification. */
  readonly openSet?: OpenSetRule;
  /** How many `analyse` calls may run at once to any benefit (a pool of workers); one when absent. */
  readonly parallelism?: number;
  /** Every face in each photograph (RGB, 8-bit), largest first; photographs come in batches when requests queue up. */
  analyse(photos: readonly RawImage[]): Promise<AnalysedFace[][]>;
}

/** Of the faces found in a `width`×`height` photograph, the one whose box centre is nearest the photograph's (LFW's subject). */
export function centralFace<F extends { readonly box: FaceBox }>(faces: readonly F[], width: number, height: number): F | undefined {
  const offCentre = ({ box }: F): number => Math.hypot(box.x + box.width / 2 - width / 2, box.y + box.height / 2 - height / 2);
  return faces.reduce<F | undefined>((best, face) => (best === undefined || offCentre(face) < offCentre(best) ? face : best), undefined);
}
