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
    async analyse(photo: RawImage): Promise<AnalysedFace[]> {
      if (detector === undefined) {
        const box = centreBox(photo);
        const [embedding] = await embedder.embed([photo]);
        return [{ box, crop: crop(photo, box.x, box.y, box.width, box.height), embedding: embedding! }];
      }
      const boxes = await detector(photo);
      const crops = boxes.map((box) => crop(photo, box.x, box.y, box.width, box.height));
      const embeddings = crops.length > 0 ? await embedder.embed(crops) : [];
      return boxes.map((box, i) => ({ box, crop: crops[i]!, embedding: embeddings[i]! }));
    },
  };
}
