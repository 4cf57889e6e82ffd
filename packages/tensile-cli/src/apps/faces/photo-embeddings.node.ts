/** `tensile faces embed` and `tensile faces compare`: embeddings of photograph files, and the distance between two. */
import { decodeImage } from 'tensile';
import { readFileBytes } from 'tensile/node';
import { embeddingDistance, type FaceEmbedder } from './embedder.js';

export interface PhotoEmbedding {
  readonly file: string;
  readonly embedding: Float32Array;
}

/** Every file decoded first, so that a non-image or truncated file is refused, by name, before any network runs. */
export async function embedPhotoFiles(embedder: FaceEmbedder, files: readonly string[]): Promise<PhotoEmbedding[]> {
  const images = await Promise.all(files.map(async (file) => decodeImage(await readFileBytes(file), file)));
  const embeddings = await embedder.embed(images);
  return files.map((file, i) => ({ file, embedding: embeddings[i]! }));
}

export interface Comparison {
  readonly a: string;
  readonly b: string;
  readonly distance: number;
  readonly threshold: number;
  /** Distance below the embedder's calibrated threshold. */
  readonly samePerson: boolean;
}

export async function comparePhotoFiles(embedder: FaceEmbedder, a: string, b: string): Promise<Comparison> {
  const [first, second] = await embedPhotoFiles(embedder, [a, b]);
  const distance = embeddingDistance(first!.embedding, second!.embedding);
  return { a, b, distance, threshold: embedder.threshold, samePerson: distance < embedder.threshold };
}
