/** An identification worker of `tensile faces serve` (pipeline-pool.node.ts): the pipeline `workerData` describes, on one thread. */
import { workerData } from 'node:worker_threads';
import 'tensile/node';
import { loadFacePipeline, type FacePipelineSpec } from '../load-face-pipeline.node.js';
import { servePipelineInWorker } from './pipeline-worker-loop.node.js';

await servePipelineInWorker(() => loadFacePipeline(workerData as FacePipelineSpec));
