/**
 * The face pipeline on a pool of worker threads, one per core, each with its own one-thread backend
 * and its own copy of the networks, loaded once. The WASM backend's own threads scale poorly on the
 * small batch-1 networks of one identification; separate photographs on separate cores do not wait
 * for each other (docs/faces/service.md, "Throughput"). The main thread keeps HTTP, the database and
 * the gallery search. A worker that dies fails only the batch it held (500, saying so) and is replaced.
 */
import { Worker } from 'node:worker_threads';
import type { RawImage } from 'tensile';
import type { AnalysedFace, FacePipeline } from '../face-pipeline.js';
import type { FacePipelineSpec } from '../load-face-pipeline.node.js';
import { HttpError } from './http-error.js';
import { type AnalyseRequest, type FaceMessage, imageFrom, imageMessage, type PipelineDescription, type WorkerReply } from './pipeline-messages.js';

export interface PipelinePoolOptions {
  /** The worker's module; it calls `servePipelineInWorker` (pipeline-worker.node.ts for the service). */
  readonly script: URL;
  readonly workerData?: unknown;
  readonly workers: number;
}

interface Job {
  readonly id: number;
  readonly photos: readonly RawImage[];
  resolve(faces: AnalysedFace[][]): void;
  reject(error: unknown): void;
}

export class PipelinePool implements FacePipeline {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job>();
  private readonly queue: Job[] = [];
  private nextId = 0;
  private closing = false;
  private replaced = 0;

  private constructor(
    private readonly options: PipelinePoolOptions,
    private readonly description: PipelineDescription,
  ) {}

  /** Starts the workers and waits until every one has loaded its pipeline. */
  static async start(options: PipelinePoolOptions): Promise<PipelinePool> {
    if (!Number.isInteger(options.workers) || options.workers < 1) throw new RangeError(`PipelinePool: workers must be a positive integer, got ${options.workers}`);
    const started = await Promise.allSettled(Array.from({ length: options.workers }, () => startWorker(options)));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed !== undefined) {
      for (const s of started) if (s.status === 'fulfilled') void s.value.worker.terminate();
      throw failed.reason;
    }
    const workers = started.map((s) => (s as PromiseFulfilledResult<StartedWorker>).value);
    const pool = new PipelinePool(options, workers[0]!.description);
    for (const { worker } of workers) pool.adopt(worker);
    return pool;
  }

  get embedder(): string {
    return this.description.embedder;
  }

  get embeddingSize(): number {
    return this.description.embeddingSize;
  }

  get threshold(): number {
    return this.description.threshold;
  }

  get openSet(): PipelineDescription['openSet'] {
    return this.description.openSet;
  }

  /** Workers started in place of dead ones. */
  get replacements(): number {
    return this.replaced;
  }

  /** Batches analysed at the same time: one a worker. */
  get parallelism(): number {
    return this.options.workers;
  }

  analyse(photos: readonly RawImage[]): Promise<AnalysedFace[][]> {
    if (this.closing) return Promise.reject(new HttpError(503, 'shutting-down', 'the faces service is shutting down'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, photos, resolve, reject });
      this.dispatch();
    });
  }

  /** Stops the workers; batches not yet answered fail. */
  async close(): Promise<void> {
    this.closing = true;
    for (const job of this.queue.splice(0)) job.reject(new HttpError(503, 'shutting-down', 'the faces service is shutting down'));
    await Promise.all([...this.idle, ...this.busy.keys()].map((worker) => worker.terminate()));
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop()!;
      const job = this.queue.shift()!;
      this.busy.set(worker, job);
      const request: AnalyseRequest = { id: job.id, photos: job.photos.map(imageMessage) };
      worker.postMessage(request);
    }
  }

  private adopt(worker: Worker): void {
    worker.on('message', (reply: WorkerReply) => {
      const job = this.busy.get(worker);
      if (job === undefined || (reply.kind !== 'analysed' && reply.kind !== 'error') || reply.id !== job.id) return;
      this.busy.delete(worker);
      this.idle.push(worker);
      if (reply.kind === 'analysed') job.resolve(reply.faces.map((list) => list.map(faceFrom)));
      else job.reject(new Error(reply.message));
      this.dispatch();
    });
    worker.on('error', (error) => this.lose(worker, error.message));
    worker.on('exit', (code) => this.lose(worker, `exit code ${code}`));
    this.idle.push(worker);
    this.dispatch();
  }

  /** A worker died: its batch fails, and a new worker takes its place. */
  private lose(worker: Worker, reason: string): void {
    const wasIdle = this.idle.indexOf(worker);
    if (wasIdle >= 0) this.idle.splice(wasIdle, 1);
    const job = this.busy.get(worker);
    this.busy.delete(worker);
    if (wasIdle < 0 && job === undefined) return; // 'error' and then 'exit' for the same death
    job?.reject(new HttpError(500, 'worker-crashed', `the identification worker stopped while analysing this photograph (${reason}); it has been replaced, try again`));
    if (this.closing) return;
    this.replaced++;
    startWorker(this.options).then(
      ({ worker: replacement }) => (this.closing ? void replacement.terminate() : this.adopt(replacement)),
      (error: unknown) => {
        // A worker that cannot even start will not start on retry either: say so to whoever waits.
        if (this.idle.length + this.busy.size > 0) return;
        for (const queued of this.queue.splice(0)) queued.reject(error);
      },
    );
  }
}

interface StartedWorker {
  readonly worker: Worker;
  readonly description: PipelineDescription;
}

function startWorker(options: PipelinePoolOptions): Promise<StartedWorker> {
  // One backend thread a worker: the pool's parallelism comes from the workers.
  const worker = new Worker(options.script, { workerData: options.workerData, env: { ...process.env, TENSILE_THREADS: '1' } });
  return new Promise((resolve, reject) => {
    // Only these listeners go: removeAllListeners would also drop the Worker's own, and its messages with them.
    const settle = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const fail = (message: string): void => {
      settle();
      void worker.terminate();
      reject(new Error(`identification worker could not start: ${message}`));
    };
    const onMessage = (reply: WorkerReply): void => {
      if (reply.kind !== 'ready') return fail(reply.kind === 'failed' ? reply.message : `unexpected first message ${reply.kind}`);
      settle();
      resolve({ worker, description: reply.pipeline });
    };
    const onError = (error: Error): void => fail(error.message);
    const onExit = (code: number): void => fail(`exit code ${code}`);
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

function faceFrom(face: FaceMessage): AnalysedFace {
  return { box: face.box, crop: imageFrom(face.crop), embedding: face.embedding };
}

/** The face pipeline `spec` describes on `workers` worker threads (pipeline-worker.node.ts), each loading it once. */
export function startServicePool(spec: FacePipelineSpec, workers: number): Promise<PipelinePool> {
  return PipelinePool.start({ script: new URL('./pipeline-worker.node.js', import.meta.url), workerData: spec, workers });
}
