/** Loads a face embedder by kind: the one place the face commands and the service turn a kind into a network. */
import type { EmbedderKind, FaceEmbedder } from './embedder.js';
import { loadFaceApiEmbedder } from './face-api/face-api-embedder.node.js';

/** The embedders this build can load. */
export const AVAILABLE_EMBEDDERS: readonly EmbedderKind[] = ['face-api'];

export async function loadEmbedder(kind: EmbedderKind): Promise<FaceEmbedder> {
  if (kind === 'face-api') return loadFaceApiEmbedder();
  throw new Error(`the ${kind} embedder is not available in this build (available: ${AVAILABLE_EMBEDDERS.join(', ')})`);
}
