/** A worker thread of `tensile study mnist-activations --workers N`: loads the digits once, then trains the runs it is sent. */
import { parentPort, workerData } from 'node:worker_threads';
import 'tensile/node';
import { setDataRoot } from 'tensile/node';
import type { ActivationName } from 'tensile';
import { loadStudyData, trainStudyRun, type WorkerMessage, type WorkerSetup } from './study.node.js';

const port = parentPort!;
const { setup, dataRoot } = workerData as WorkerSetup;
const post = (message: WorkerMessage): void => port.postMessage(message);

try {
  setDataRoot(dataRoot);
  const data = await loadStudyData(setup);
  port.on('message', ([activation, seed]: [ActivationName, number]) => {
    trainStudyRun(setup, data, activation, seed, (run) => post({ kind: 'checkpoint', run })).then(
      (run) => post({ kind: 'done', run }),
      (error: unknown) => post({ kind: 'error', message: error instanceof Error ? error.message : String(error) }),
    );
  });
  post({ kind: 'ready' });
} catch (error) {
  post({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
}
