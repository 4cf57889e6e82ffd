/** Loads a face embedder by kind: the one place the face commands and the service turn a kind into a network. */
import type { EmbedderKind, FaceEmbedder } from './embedder.js';
import { loadFaceApiEmbedder } from './face-api/face-api-embedder.node.js';
import { DEFAULT_EMBEDDER_MODEL, TrainedEmbedder } from './trained/trained-embedder.node.js';

/** The embedders this build can load. */
export const AVAILABLE_EMBEDDERS: readonly EmbedderKind[] = ['trained', 'face-api'];

export interface LoadEmbedderOptions {
  /** Model file, for embedders trained here (default runs/faces/embedder.safetensors under the working directory); face-api's weights come from its npm package. */
  readonly model?: string;
}

export async function loadEmbedder(kind: EmbedderKind, options: LoadEmbedderOptions = {}): Promise<FaceEmbedder> {
  switch (kind) {
    case 'trained':
      return TrainedEmbedder.load(options.model ?? DEFAULT_EMBEDDER_MODEL);
    case 'face-api':
      if (options.model !== undefined) throw new Error(`--model ${options.model}: the face-api embedder reads its weights from @vladmandic/face-api, not from a model file`);
      return loadFaceApiEmbedder();
  }
}
