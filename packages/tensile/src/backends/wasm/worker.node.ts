/** Entry point of a Node worker thread of the WASM pool. */
import { workerData } from 'node:worker_threads';
import { runWorkerLoop, type WorkerInit } from './threads.js';

runWorkerLoop(workerData as WorkerInit);
