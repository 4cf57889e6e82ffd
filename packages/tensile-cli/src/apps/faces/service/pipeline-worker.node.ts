/** An identification worker of `tensile faces serve` (pipeline-pool.node.ts): the pipeline `workerData` describes, on one thread. */
import { workerData } from 'node:worker_threads';
import 'tensile/node';
import { servePipelineInWorker } from './pipeline-worker-loop.node.js';
import { loadServicePipeline, type ServicePipelineSpec } from './service-pipeline.node.js';

await servePipelineInWorker(() => loadServicePipeline(workerData as ServicePipelineSpec));
