/** An identification worker of `tensile faces serve` (pipeline-pool.node.ts): the embedder of `workerData.kind` on one thread. */
import { workerData } from 'node:worker_threads';
import 'tensile/node';
import type { EmbedderKind } from '../embedder.js';
import { servePipelineInWorker } from './pipeline-worker-loop.node.js';
import { loadServicePipeline } from './service-pipeline.node.js';

await servePipelineInWorker(() => loadServicePipeline((workerData as { kind: EmbedderKind }).kind));
