/** What the training dashboard streams to its page (Server-Sent Events, one JSON object per event). */

/** The run's settings, sent when training begins. */
export interface BeginEvent {
  readonly type: 'begin';
  readonly title: string;
  readonly model: string;
  readonly epochs: number;
  /** Steps per epoch, when known. */
  readonly steps: number | null;
}

/** One training step: its logs (loss and metrics), learning rate, wall time and memory. */
export interface StepEvent {
  readonly type: 'step';
  readonly step: number;
  readonly epoch: number;
  readonly logs: Readonly<Record<string, number>>;
  readonly learningRate: number;
  readonly stepMs: number;
  /** Bytes held by live tensors, and the process's resident set. */
  readonly tensorBytes: number;
  readonly rssBytes: number;
}

/** One finished epoch: its logs, validation included (val_*). */
export interface EpochEvent {
  readonly type: 'epoch';
  readonly epoch: number;
  /** Steps run so far, to place the epoch on the step axis. */
  readonly step: number;
  readonly logs: Readonly<Record<string, number>>;
}

export interface EndEvent {
  readonly type: 'end';
  readonly logs: Readonly<Record<string, number>>;
}

export type DashboardEvent = BeginEvent | StepEvent | EpochEvent | EndEvent;
