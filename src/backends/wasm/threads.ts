/**
 * A pool of worker threads that run kernels on the shared memory, coordinated through a small
 * control block of Int32 slots in that memory (no messages on the hot path).
 *
 * Per worker: a job sequence number, a ready flag, the kernel index and the task pointer. The main
 * thread writes kernel and task, bumps the sequence and notifies; the worker spins briefly
 * (a wake-up from Atomics.wait costs ~50 µs, a spinning worker answers in ~0.1 µs), then sleeps.
 * A worker reads its sequence number *before* it raises its ready flag, so a job posted right after
 * readiness is never mistaken for an old one. Workers are unref'd: they never keep a process alive.
 */
import { BackendError } from '../../errors.js';
import { instantiateKernels, TASK_KERNELS, type TaskKernel } from './module.js';

const PENDING = 0;
const SHUTDOWN = 1;
const FAILED = 2;
const WORKER_SLOTS = 4;
const SEQ = 0;
const READY = 1;
const KERNEL = 2;
const TASK = 3;
export const MAX_WORKERS = 63;
/** Int32 slots of the control block. */
export const CONTROL_INTS = WORKER_SLOTS * (MAX_WORKERS + 1);
/** Polls of a spinning thread before it sleeps (≈ 20–50 µs). */
const SPIN_POLLS = 20000;

/** What a worker needs to start: the compiled kernels, the memory and its slot. */
export interface WorkerInit {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  /** Byte offset of the control block. */
  readonly control: number;
  readonly index: number;
}

export interface WorkerHandle {
  terminate(): void;
}

export type SpawnWorker = (init: WorkerInit) => WorkerHandle;

function slot(control: number, worker: number, field: number): number {
  return (control >> 2) + WORKER_SLOTS * (worker + 1) + field;
}

/** The worker side: runs until shutdown. Never returns control to the worker's event loop. */
export function runWorkerLoop(init: WorkerInit): void {
  const kernels = instantiateKernels(init.module, init.memory);
  const tasks = TASK_KERNELS.map((name) => kernels[name]);
  const ctl = new Int32Array(init.memory.buffer);
  const base = init.control >> 2;
  const seqSlot = slot(init.control, init.index, SEQ);
  let seen = Atomics.load(ctl, seqSlot);
  Atomics.store(ctl, slot(init.control, init.index, READY), 1);
  for (;;) {
    let seq = Atomics.load(ctl, seqSlot);
    for (let i = 0; seq === seen && i < SPIN_POLLS; i++) seq = Atomics.load(ctl, seqSlot);
    while (seq === seen) {
      Atomics.wait(ctl, seqSlot, seen);
      seq = Atomics.load(ctl, seqSlot);
    }
    seen = seq;
    if (Atomics.load(ctl, base + SHUTDOWN)) return;
    try {
      tasks[Atomics.load(ctl, slot(init.control, init.index, KERNEL))]!(Atomics.load(ctl, slot(init.control, init.index, TASK)));
    } catch {
      Atomics.store(ctl, base + FAILED, 1);
    }
    if (Atomics.sub(ctl, base + PENDING, 1) === 1) Atomics.notify(ctl, base + PENDING);
  }
}

export class ThreadPool {
  private readonly ctl: Int32Array;
  private readonly base: number;
  private readonly handles: WorkerHandle[] = [];
  private ready: number[] = [];
  /** Browsers forbid Atomics.wait on the main thread; there the pool only spins. */
  private canBlock = true;

  constructor(
    private readonly init: Omit<WorkerInit, 'index'>,
    private readonly workerCount: number,
    spawn: SpawnWorker,
  ) {
    this.ctl = new Int32Array(init.memory.buffer);
    this.base = init.control >> 2;
    for (let i = 0; i < workerCount; i++) this.handles.push(spawn({ ...init, index: i }));
  }

  /** Workers that have announced readiness (the main thread is not counted). */
  readyWorkers(): number {
    if (this.ready.length < this.workerCount) {
      this.ready = [];
      for (let i = 0; i < this.workerCount; i++) {
        if (Atomics.load(this.ctl, slot(this.init.control, i, READY))) this.ready.push(i);
      }
    }
    return this.ready.length;
  }

  /** Resolves once every worker is ready (they start asynchronously). */
  async whenReady(): Promise<void> {
    while (this.readyWorkers() < this.workerCount) await new Promise((resolve) => setTimeout(resolve, 1));
  }

  /**
   * Runs `tasks` (task-block pointers) of one kernel: the first on this thread, others on ready
   * workers; tasks without a free worker also run here. Returns when all are done.
   */
  run(kernel: TaskKernel, tasks: readonly number[], runHere: (task: number) => void): void {
    const helpers = Math.min(tasks.length - 1, this.readyWorkers());
    const ctl = this.ctl;
    if (helpers > 0) {
      const kernelIndex = TASK_KERNELS.indexOf(kernel);
      Atomics.store(ctl, this.base + PENDING, helpers);
      for (let h = 0; h < helpers; h++) {
        const worker = this.ready[h]!;
        Atomics.store(ctl, slot(this.init.control, worker, KERNEL), kernelIndex);
        Atomics.store(ctl, slot(this.init.control, worker, TASK), tasks[h + 1]!);
        const seqSlot = slot(this.init.control, worker, SEQ);
        Atomics.add(ctl, seqSlot, 1);
        Atomics.notify(ctl, seqSlot);
      }
    }
    runHere(tasks[0]!);
    for (let t = helpers + 1; t < tasks.length; t++) runHere(tasks[t]!);
    if (helpers > 0) this.waitForHelpers(kernel);
  }

  private waitForHelpers(kernel: TaskKernel): void {
    const at = this.base + PENDING;
    let pending = Atomics.load(this.ctl, at);
    for (let i = 0; pending !== 0 && (i < SPIN_POLLS || !this.canBlock); i++) pending = Atomics.load(this.ctl, at);
    while (pending !== 0) {
      try {
        Atomics.wait(this.ctl, at, pending);
      } catch {
        this.canBlock = false;
      }
      pending = Atomics.load(this.ctl, at);
    }
    if (Atomics.exchange(this.ctl, this.base + FAILED, 0)) {
      throw new BackendError(`wasm.${kernel}: a worker thread trapped while running its part`);
    }
  }

  terminate(): void {
    Atomics.store(this.ctl, this.base + SHUTDOWN, 1);
    for (let i = 0; i < this.workerCount; i++) {
      const seqSlot = slot(this.init.control, i, SEQ);
      Atomics.add(this.ctl, seqSlot, 1);
      Atomics.notify(this.ctl, seqSlot);
    }
    for (const handle of this.handles) handle.terminate();
  }
}
