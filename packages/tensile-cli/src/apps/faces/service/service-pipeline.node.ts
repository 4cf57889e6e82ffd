/**
 * The pipeline `tensile faces serve` runs: an embedder by kind, on photographs centred on one face
 * (LFW's convention; see `embedderPipeline`) until a face detector is wired in.
 */
import type { EmbedderKind } from '../embedder.js';
import { loadFaceApiEmbedder } from '../face-api/face-api-embedder.node.js';
import { embedderPipeline } from './embedder-pipeline.js';
import type { FacePipeline } from './face-pipeline.js';

/** The embedders the service can load in this build. */
export const SERVICE_EMBEDDERS: readonly EmbedderKind[] = ['face-api'];

export async function loadServicePipeline(kind: EmbedderKind): Promise<FacePipeline> {
  if (kind === 'face-api') return embedderPipeline(await loadFaceApiEmbedder());
  throw new Error(`the ${kind} embedder cannot be served by this build (available: ${SERVICE_EMBEDDERS.join(', ')})`);
}
