/**
 * The inside of an identification worker: loads its pipeline once, says it is ready (or why it could
 * not start), then analyses the batches the main thread sends, one at a time, handing the crops'
 * pixels and the embeddings back without copying them.
 */
import { parentPort } from 'node:worker_threads';
import type { FacePipeline } from '../face-pipeline.js';
import { type AnalyseRequest, describePipeline, errorMessage, type FaceMessage, imageFrom, imageMessage, type WorkerReply } from './pipeline-messages.js';

export async function servePipelineInWorker(load: () => Promise<FacePipeline>): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('servePipelineInWorker runs in a worker thread of the faces service');
  const post = (reply: WorkerReply, transfer: ArrayBuffer[] = []): void => port.postMessage(reply, transfer);
  let pipeline: FacePipeline;
  try {
    pipeline = await load();
  } catch (error) {
    post({ kind: 'failed', message: errorMessage(error) });
    return;
  }
  port.on('message', (request: AnalyseRequest) => {
    pipeline.analyse(request.photos.map(imageFrom)).then(
      (found) => {
        const faces: FaceMessage[][] = found.map((list) => list.map((face) => ({ ...face, crop: imageMessage(face.crop) })));
        post({ kind: 'analysed', id: request.id, faces }, ownBuffers(faces.flat().flatMap((face) => [face.crop.data, face.embedding])));
      },
      (error: unknown) => post({ kind: 'error', id: request.id, message: errorMessage(error) }),
    );
  });
  post({ kind: 'ready', pipeline: describePipeline(pipeline) });
}

/** The buffers these arrays fill whole: views into a larger buffer (a WASM heap, say) are copied instead. */
function ownBuffers(arrays: readonly ArrayBufferView[]): ArrayBuffer[] {
  const whole = arrays.filter((a) => a.buffer instanceof ArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength);
  return [...new Set(whole.map((a) => a.buffer as ArrayBuffer))];
}
