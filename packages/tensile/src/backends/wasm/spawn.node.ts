/** Node worker threads for the WASM pool (loaded only through a dynamic import). */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { WorkerHandle, WorkerInit } from './threads.js';

export function availableCores(): number {
  return availableParallelism();
}

export function spawnWorker(init: WorkerInit): WorkerHandle {
  const worker = new Worker(new URL('./worker.node.js', import.meta.url), { workerData: init });
  // The pool blocks workers in Atomics.wait; unref lets the process exit around them.
  worker.unref();
  return { terminate: () => void worker.terminate() };
}
