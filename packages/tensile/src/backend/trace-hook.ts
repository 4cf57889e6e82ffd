/**
 * The seam graph tracing (`graph/`) uses to watch an eager run. While a trace is active, ops reach
 * backends through the recorder's view of them, which runs each kernel and records the call; reads
 * of values, which a replayed graph could not repeat, are refused through it. Kept in the lowest
 * folder so that tensors, the backend registry and optimizers can consult it without importing
 * the graph compiler. Outside a trace every function here is one comparison with null.
 */
import type { Backend, TypedArray } from './contract.js';

export interface TraceRecorder {
  /** The backend ops see while tracing: records every kernel call, runs it on `real`. */
  view(real: Backend): Backend;
  /** The backend a view stands for (a backend that is no view is returned as is). */
  real(backend: Backend): Backend;
  /** Throws the trace error for `op` (a method that reads values, or an op the graph cannot repeat). */
  refuse(op: string, why: string): never;
  /** A tensor's storage was replaced in place (assign): `owner` now holds what `to` holds. */
  retargeted(owner: object, from: object, to: object): void;
  /** The next `upload` holds values made on the host by `make` (random numbers): a replay calls it again instead of reusing them. */
  uploadMadeBy(make: () => TypedArray): void;
  /**
   * Runs `check` on the values of `tensor` now, and again before every replay when the tensor is
   * an input or state of the graph (the label and index checks eager ops make on every call).
   */
  guardValues(tensor: object, check: (values: TypedArray) => void): void;
  /** Runs `hook` before every replay of the graph being traced (optimizer step counters, per-step scalars). */
  onReplay(hook: () => void): void;
}

let active: TraceRecorder | null = null;

/** The recorder of the trace in progress, or null. */
export function traceRecorder(): TraceRecorder | null {
  return active;
}

/** Starts (recorder) or ends (null) a trace. */
export function setTraceRecorder(recorder: TraceRecorder | null): void {
  active = recorder;
}

/** What ops should call `backend`: its view while tracing, itself otherwise. */
export function tracedBackend(backend: Backend): Backend {
  return active === null ? backend : active.view(backend);
}

/** The backend behind a view (for storages, which always hold the real one). */
export function realBackend(backend: Backend): Backend {
  return active === null ? backend : active.real(backend);
}
