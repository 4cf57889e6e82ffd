/**
 * The pipeline `tensile faces serve` runs: an embedder by kind, on photographs centred on one face
 * (LFW's convention; see `embedderPipeline`) until a face detector is wired in.
 */
import type { EmbedderKind } from '../embedder.js';
import { loadEmbedder } from '../load-embedder.node.js';
import { embedderPipeline } from './embedder-pipeline.js';
import type { FacePipeline } from './face-pipeline.js';
import { PipelinePool } from './pipeline-pool.node.js';

export async function loadServicePipeline(kind: EmbedderKind): Promise<FacePipeline> {
  return embedderPipeline(await loadEmbedder(kind));
}

/** The same pipeline on `workers` worker threads (pipeline-worker.node.ts), each loading it once. */
export function startServicePool(kind: EmbedderKind, workers: number): Promise<PipelinePool> {
  return PipelinePool.start({ script: new URL('./pipeline-worker.node.js', import.meta.url), workerData: { kind }, workers });
}
