/** Entry point of a Web Worker of the WASM pool: one message carries its WorkerInit. */
import { runWorkerLoop, type WorkerInit } from './threads.js';

const scope = globalThis as unknown as { onmessage: ((event: MessageEvent<WorkerInit>) => void) | null };
scope.onmessage = (event) => {
  scope.onmessage = null;
  runWorkerLoop(event.data);
};
