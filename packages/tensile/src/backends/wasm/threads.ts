/**
 * A pool of worker threads that run kernels on the shared memory, coordinated through a small
 * control block of Int32 slots in that memory (no messages on the hot path).
 *
 * A job is a list of task pointers for one kernel. The calling thread publishes it in one word,
 * `count << 16 | next`, and every thread (the caller included) claims tasks with an atomic add on
 * that word until `next` passes `count`. A claim reads the count from the value it incremented, so a
 * worker that wakes late can never take a task of a finished job: it finds nothing left, or a task
 * of the job that is running, whose descriptor stays put until all its tasks are done. The caller
 * therefore only ever waits for tasks that are actually running; a worker the OS has descheduled
 * (a busy machine) costs nothing, because the caller takes its share. Idle workers spin briefly
 * (a wake-up from Atomics.wait costs ~50 µs, a spinning worker answers in ~0.1 µs), then sleep on
 * the job word. Workers are unref'd: they never keep a process alive.
 */
import { BackendError } from '../../errors.js';
import { instantiateKernels, TASK_KERNELS, type TaskKernelName } from './module.js';

/** Control slots. */
const JOB = 0;
const KERNEL = 1;
const DONE = 2;
const SHUTDOWN = 3;
const FAILED = 4;
const READY = 5;
export const MAX_WORKERS = 63;
/** Tasks of one job at most (the count has 8 bits of the job word; jobs have one task per thread). */
const MAX_TASKS = 255;
const TASKS = READY + MAX_WORKERS;
/** Int32 slots of the control block. */
export const CONTROL_INTS = TASKS + MAX_TASKS;
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

const hasWork = (job: number): boolean => (job & 0xffff) < job >>> 16;

/**
 * Claims and runs tasks of the published job until none is left; returns how many it ran. A task
 * that traps is counted as done and flagged in FAILED.
 */
function claimTasks(ctl: Int32Array, base: number, run: (kernel: number, task: number) => void): number {
  let ran = 0;
  for (;;) {
    const job = Atomics.add(ctl, base + JOB, 1);
    const index = job & 0xffff;
    const count = job >>> 16;
    if (index >= count) return ran;
    try {
      run(Atomics.load(ctl, base + KERNEL), Atomics.load(ctl, base + TASKS + index));
    } catch {
      Atomics.store(ctl, base + FAILED, 1);
    }
    ran++;
    if (Atomics.add(ctl, base + DONE, 1) + 1 === count) Atomics.notify(ctl, base + DONE);
  }
}

/** The worker side: runs until shutdown. Never returns control to the worker's event loop. */
export function runWorkerLoop(init: WorkerInit): void {
  const kernels = instantiateKernels(init.module, init.memory);
  const tasks = TASK_KERNELS.map((name) => kernels[name]);
  const ctl = new Int32Array(init.memory.buffer);
  const base = init.control >> 2;
  const run = (kernel: number, task: number): void => tasks[kernel]!(task);
  Atomics.store(ctl, base + READY + init.index, 1);
  for (;;) {
    let job = Atomics.load(ctl, base + JOB);
    for (let i = 0; !hasWork(job) && i < SPIN_POLLS; i++) job = Atomics.load(ctl, base + JOB);
    while (!hasWork(job)) {
      if (Atomics.load(ctl, base + SHUTDOWN)) return;
      Atomics.wait(ctl, base + JOB, job);
      job = Atomics.load(ctl, base + JOB);
    }
    if (Atomics.load(ctl, base + SHUTDOWN)) return;
    claimTasks(ctl, base, run);
  }
}

export class ThreadPool {
  private readonly ctl: Int32Array;
  private readonly base: number;
  private readonly handles: WorkerHandle[] = [];
  private ready = 0;
  /** Browsers forbid Atomics.wait on the main thread; there the pool only spins. */
  private canBlock = true;

  constructor(
    init: Omit<WorkerInit, 'index'>,
    private readonly workerCount: number,
    spawn: SpawnWorker,
  ) {
    this.ctl = new Int32Array(init.memory.buffer);
    this.base = init.control >> 2;
    for (let i = 0; i < workerCount; i++) this.handles.push(spawn({ ...init, index: i }));
  }

  /** Workers that have announced readiness (the main thread is not counted). */
  readyWorkers(): number {
    if (this.ready < this.workerCount) {
      this.ready = 0;
      for (let i = 0; i < this.workerCount; i++) this.ready += Atomics.load(this.ctl, this.base + READY + i);
    }
    return this.ready;
  }

  /** Resolves once every worker is ready (they start asynchronously). */
  async whenReady(): Promise<void> {
    while (this.readyWorkers() < this.workerCount) await new Promise((resolve) => setTimeout(resolve, 1));
  }

  /**
   * Runs `tasks` (task-block pointers) of one kernel on this thread and whichever workers claim
   * some of them; returns when all are done.
   */
  run(kernel: TaskKernelName, tasks: readonly number[], runHere: (task: number) => void): void {
    if (tasks.length > MAX_TASKS) throw new BackendError(`wasm.${kernel}: ${tasks.length} tasks in one job (at most ${MAX_TASKS})`);
    const ctl = this.ctl;
    const base = this.base;
    ctl.set(tasks, base + TASKS);
    Atomics.store(ctl, base + KERNEL, TASK_KERNELS.indexOf(kernel));
    Atomics.store(ctl, base + DONE, 0);
    Atomics.store(ctl, base + JOB, tasks.length << 16);
    Atomics.notify(ctl, base + JOB, tasks.length - 1);
    claimTasks(ctl, base, (_, task) => runHere(task));
    this.waitForRunningTasks(kernel, tasks.length);
  }

  private waitForRunningTasks(kernel: TaskKernelName, count: number): void {
    const at = this.base + DONE;
    let done = Atomics.load(this.ctl, at);
    for (let i = 0; done !== count && (i < SPIN_POLLS || !this.canBlock); i++) done = Atomics.load(this.ctl, at);
    while (done !== count) {
      try {
        Atomics.wait(this.ctl, at, done);
      } catch {
        this.canBlock = false;
      }
      done = Atomics.load(this.ctl, at);
    }
    if (Atomics.exchange(this.ctl, this.base + FAILED, 0)) {
      throw new BackendError(`wasm.${kernel}: a kernel trapped while running its part`);
    }
  }

  terminate(): void {
    Atomics.store(this.ctl, this.base + SHUTDOWN, 1);
    // A job word with work in it wakes every worker; each sees SHUTDOWN before claiming.
    Atomics.store(this.ctl, this.base + JOB, 1 << 16);
    Atomics.notify(this.ctl, this.base + JOB);
    for (const handle of this.handles) handle.terminate();
  }
}
