/**
 * The recorded graph: each tensor made by a differentiable op remembers the op's inputs and a
 * backward rule. Rules are written with ordinary ops, so when they run with recording on (create
 * graph) the gradient is itself differentiable.
 */
import type { BackwardRule } from '../tensor/grad-node.js';
import type { Tensor } from '../tensor/tensor.js';

let recording = true;

export function isGradEnabled(): boolean {
  return recording;
}

/** Runs `fn` with gradient recording switched to `enabled`, restoring the previous mode after. */
export function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const previous = recording;
  recording = enabled;
  try {
    return fn();
  } finally {
    recording = previous;
  }
}

/** Runs `fn` without recording a graph (inference, parameter updates). */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs `fn` with recording on, e.g. inside a `noGrad` block. */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}

/**
 * Attaches a backward rule to `output` when recording is on and an input needs a gradient.
 * `backward` returns one gradient per input (null where none flows).
 */
export function record(op: string, output: Tensor, inputs: readonly Tensor[], backward: BackwardRule): Tensor {
  if (!recording) return output;
  for (const x of inputs) {
    if (x.requiresGrad) {
      output.setGradFn({ op, inputs, backward });
      return output;
    }
  }
  return output;
}
