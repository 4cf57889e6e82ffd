/** Web Workers for the WASM pool (needs a cross-origin-isolated page for shared memory). */
import type { WorkerHandle, WorkerInit } from './threads.js';

export function availableCores(): number {
  return typeof navigator === 'object' ? navigator.hardwareConcurrency || 1 : 1;
}

export function spawnWorker(init: WorkerInit): WorkerHandle {
  const worker = new Worker(new URL('./worker.web.js', import.meta.url), { type: 'module' });
  worker.postMessage(init);
  return { terminate: () => worker.terminate() };
}
