/**
 * The face pipeline from an embedder and, when there is one, a detector. Without a detector the
 * photograph is taken to be centred on one face, as LFW's are (Viola-Jones crops): the face is the
 * centre square of `LFW_FACE_FRACTION` of the shorter side, and the embedder gets the whole photograph
 * (it aligns centred photographs the way its network was trained). With a detector every face found is
 * embedded: by the embedder's own `embedFaces` when it has one (face-api: one landmark pass on the
 * square the box predicts), else framed the LFW way (`lfwFrameOf`).
 */
import { crop, type RawImage } from 'tensile';
import type { FaceEmbedder } from './embedder.js';
import { LFW_FACE_FRACTION, lfwFrameOf } from './lfw-frame.js';
import type { AnalysedFace, FaceBox, FacePipeline } from './face-pipeline.js';

/** Finds faces; returns boxes in pixels, which may reach beyond the photograph's edges. */
export type FaceDetector = (photo: RawImage) => readonly FaceBox[] | Promise<readonly FaceBox[]>;

export function centreBox(photo: RawImage): FaceBox {
  const side = Math.round(LFW_FACE_FRACTION * Math.min(photo.width, photo.height));
  return { x: Math.floor((photo.width - side) / 2), y: Math.floor((photo.height - side) / 2), width: side, height: side };
}

/** The box in whole pixels, cut to the photograph (empty when it lies outside). */
export function boxInside(photo: RawImage, box: FaceBox): FaceBox {
  const x0 = Math.max(0, Math.round(box.x));
  const y0 = Math.max(0, Math.round(box.y));
  const x1 = Math.min(photo.width, Math.round(box.x + box.width));
  const y1 = Math.min(photo.height, Math.round(box.y + box.height));
  return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
}

export function embedderPipeline(embedder: FaceEmbedder, detector?: FaceDetector): FacePipeline {
  const embedDetected = (faces: { photo: RawImage; box: FaceBox }[]): Promise<Float32Array[]> =>
    embedder.embedFaces ? embedder.embedFaces(faces) : embedder.embed(faces.map(({ photo, box }) => lfwFrameOf(photo, box)));
  return {
    embedder: detector ? `${embedder.kind}+detector` : embedder.kind,
    embeddingSize: embedder.size,
    threshold: embedder.threshold,
    openSet: embedder.openSet,
    async analyse(photos: readonly RawImage[]): Promise<AnalysedFace[][]> {
      const boxes = detector === undefined
        ? photos.map((photo) => [centreBox(photo)])
        : await Promise.all(photos.map(async (photo) => largestFirst((await detector(photo)).filter((box) => !isEmpty(boxInside(photo, box))))));
      const detected = boxes.flatMap((found, i) => found.map((box) => ({ photo: photos[i]!, box })));
      // Without a detector the embedder gets the whole centred photograph and aligns it itself.
      const embeddings = detector === undefined ? await embedder.embed(photos) : detected.length > 0 ? await embedDetected(detected) : [];
      let next = 0;
      return boxes.map((found, i) => found.map((box) => {
        const shown = boxInside(photos[i]!, box);
        return { box, crop: crop(photos[i]!, shown.x, shown.y, shown.width, shown.height), embedding: embeddings[next++]! };
      }));
    },
  };
}

function isEmpty(box: FaceBox): boolean {
  return box.width === 0 || box.height === 0;
}

function largestFirst(boxes: readonly FaceBox[]): FaceBox[] {
  return [...boxes].sort((a, b) => b.width * b.height - a.width * a.height);
}
