/** `tensile faces embed` and `tensile faces compare`: every face of photograph files embedded, and the distance between two. */
import { decodeImage, toRgb } from 'tensile';
import { readFileBytes } from 'tensile/node';
import { embeddingDistance } from './embedder.js';
import type { FaceBox, FacePipeline } from './face-pipeline.js';

export interface EmbeddedFace {
  readonly box: FaceBox;
  readonly embedding: Float32Array;
}

export interface PhotoFaces {
  readonly file: string;
  /** At least one, largest first; with no detector, the one face the photograph is centred on. */
  readonly faces: readonly EmbeddedFace[];
}

/**
 * Every file decoded first, so that a non-image or truncated file is refused, by name, before any network
 * runs; a photograph in which the detector finds no face is refused by name too.
 */
export async function embedPhotoFiles(pipeline: FacePipeline, files: readonly string[]): Promise<PhotoFaces[]> {
  const photos = await Promise.all(files.map(async (file) => toRgb(decodeImage(await readFileBytes(file), file))));
  const analysed = await pipeline.analyse(photos);
  return files.map((file, i) => {
    if (analysed[i]!.length === 0) throw new Error(`${file}: no face found (a smaller --min-face may find it; --detector none takes the photograph as centred on one face)`);
    return { file, faces: analysed[i]!.map(({ box, embedding }) => ({ box, embedding })) };
  });
}

export interface Comparison {
  readonly a: string;
  readonly b: string;
  /** The faces compared: the largest of each photograph. */
  readonly boxes: readonly [FaceBox, FaceBox];
  readonly distance: number;
  readonly threshold: number;
  /** Distance below the embedder's calibrated threshold. */
  readonly samePerson: boolean;
}

/** The largest face of each photograph. */
export async function comparePhotoFiles(pipeline: FacePipeline, a: string, b: string): Promise<Comparison> {
  const [first, second] = (await embedPhotoFiles(pipeline, [a, b])).map(({ faces }) => faces[0]!);
  const distance = embeddingDistance(first!.embedding, second!.embedding);
  return { a, b, boxes: [first!.box, second!.box], distance, threshold: pipeline.threshold, samePerson: distance < pipeline.threshold };
}
