/**
 * The face pipeline from an embedder and, when there is one, a detector. Without a detector the
 * photograph is taken to be centred on one face, as LFW's are (Viola-Jones crops): the face is the
 * centre square of `CENTRE_FRACTION` of the shorter side, and the embedder gets the whole photograph
 * (it aligns centred photographs the way its network was trained).
 */
import { crop, type RawImage } from 'tensile';
import type { FaceEmbedder } from '../embedder.js';
import type { AnalysedFace, FaceBox, FacePipeline } from './face-pipeline.js';

/** LFW's faces span about 45% of the 250-pixel frame. */
export const CENTRE_FRACTION = 0.45;

/** Finds faces (largest first); returns boxes in pixels. */
export type FaceDetector = (photo: RawImage) => FaceBox[] | Promise<FaceBox[]>;

export function centreBox(photo: RawImage): FaceBox {
  const side = Math.round(CENTRE_FRACTION * Math.min(photo.width, photo.height));
  return { x: Math.floor((photo.width - side) / 2), y: Math.floor((photo.height - side) / 2), width: side, height: side };
}

export function embedderPipeline(embedder: FaceEmbedder, detector?: FaceDetector): FacePipeline {
  return {
    embedder: detector ? `${embedder.kind}+detector` : embedder.kind,
    embeddingSize: embedder.size,
    threshold: embedder.threshold,
    openSet: embedder.openSet,
    async analyse(photos: readonly RawImage[]): Promise<AnalysedFace[][]> {
      const boxes = detector === undefined ? photos.map((photo) => [centreBox(photo)]) : await Promise.all(photos.map((photo) => detector(photo)));
      const crops = boxes.map((found, i) => found.map((box) => crop(photos[i]!, box.x, box.y, box.width, box.height)));
      // Without a detector the embedder gets the whole centred photograph and aligns it itself.
      const inputs = detector === undefined ? [...photos] : crops.flat();
      const embeddings = inputs.length > 0 ? await embedder.embed(inputs) : [];
      let next = 0;
      return boxes.map((found, i) => found.map((box, j) => ({ box, crop: crops[i]![j]!, embedding: embeddings[next++]! })));
    },
  };
}
