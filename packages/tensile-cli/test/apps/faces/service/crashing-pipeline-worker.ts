/**
 * An identification worker with the test pipeline that dies, as a worker hit by a fatal bug would,
 * on any photograph exactly `workerData.crashWidth` pixels wide (pipeline-pool.test.ts).
 */
import { workerData } from 'node:worker_threads';
import 'tensile/node';
import type { RawImage } from 'tensile';
import { servePipelineInWorker } from '../../../../src/apps/faces/service/pipeline-worker-loop.node.js';
import { fakePipeline } from './fake-pipeline.js';

const { crashWidth } = workerData as { crashWidth: number };

await servePipelineInWorker(async () => {
  const pipeline = fakePipeline();
  return {
    ...pipeline,
    analyse(photos: readonly RawImage[]) {
      if (photos.some((photo) => photo.width === crashWidth)) process.exit(3);
      return pipeline.analyse(photos);
    },
  };
});
