/**
 * Checks of the values (not just shapes) a loss or metric relies on: class labels that are
 * integers in range, probabilities and targets in [0, 1]. Without them a label −1 gathers the last
 * class, 0.9 truncates to class 0 and a target 4 is clamped, all silently. The values are read on
 * the host, which costs one pass over labels or targets per batch (measured in README "Data").
 */
import { ValueError } from '../errors.js';
import { traceRecorder } from '../backend/trace-hook.js';
import type { Tensor } from '../tensor/tensor.js';
import type { TypedArray } from '../tensor/dtype.js';

/**
 * Runs `check` on the values of `t`. In a traced function the recorder runs it, now and before
 * every later call of the compiled graph when `t` is one of its inputs (labels, indices).
 */
export function checkValues(t: Tensor, check: (values: TypedArray) => void): void {
  const recorder = traceRecorder();
  if (recorder) recorder.guardValues(t, check);
  else check(t.dataSync());
}

let enabled = true;

/**
 * Turns the label, probability and target checks of the losses and metrics on or off (on by
 * default); returns the previous setting. Off is for data already known to be valid.
 */
export function setValueChecks(on: boolean): boolean {
  const previous = enabled;
  enabled = on;
  return previous;
}

/** `[i, j]` for a tensor of rank > 1, `i` otherwise: the place a user finds in their array. */
function describeIndex(flat: number, shape: readonly number[]): string {
  if (shape.length <= 1) return String(flat);
  const index: number[] = [];
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    index.unshift(flat % shape[axis]!);
    flat = Math.floor(flat / shape[axis]!);
  }
  return `[${index.join(', ')}]`;
}

/** Labels must be integral class indices in [0, classes). */
export function checkClassLabels(op: string, labels: Tensor, classes: number): void {
  if (!enabled) return;
  checkValues(labels, (values) => {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!(Number.isInteger(v) && v >= 0 && v < classes)) {
        throw new ValueError(`${op}: label ${v} at index ${describeIndex(i, labels.shape)} is not a class index in [0, ${classes})`);
      }
    }
  });
}

/**
 * Values must lie in [0, 1]. NaN passes: a NaN prediction is a diverged model, which fit reports
 * as a non-finite loss (or TerminateOnNaN handles), not bad input.
 */
export function checkUnitInterval(op: string, what: string, t: Tensor): void {
  if (!enabled) return;
  checkValues(t, (values) => {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v < 0 || v > 1) throw new ValueError(`${op}: ${what} ${v} at index ${describeIndex(i, t.shape)} is outside [0, 1]`);
    }
  });
}
