/**
 * Bias and ReLU folded into a product kernel's output pass (the backend's OutputEpilogue), as used
 * by fusedMatmul and fusedConv2d: validation, the backend's view, and the gradient rules.
 */
import type { OutputEpilogue } from '../backend/contract.js';
import { DTypeError, ShapeError } from '../errors.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { sumTo } from './reduce.js';
import { reluGradient } from './unary.js';

export interface Epilogue {
  /** Added to every output row: one value per output channel (shape [channels]). */
  readonly bias: Tensor | null;
  readonly relu: boolean;
}

export const NO_EPILOGUE: Epilogue = { bias: null, relu: false };

/** Throws naming the op unless the bias is a [channels] tensor of the output's dtype. */
export function checkEpilogue(op: string, epilogue: Epilogue, channels: number, dtype: Tensor['dtype']): void {
  const { bias } = epilogue;
  if (!bias) return;
  if (bias.rank !== 1 || bias.shape[0] !== channels) {
    throw new ShapeError(`${op}: bias must have shape [${channels}] (one value per output channel), got ${formatShape(bias.shape)}`);
  }
  if (bias.dtype !== dtype) throw new DTypeError(`${op}: bias is ${bias.dtype} but the output is ${dtype}`);
}

/** What the kernel is asked to do, or undefined for a plain product. */
export function backendEpilogue(epilogue: Epilogue): OutputEpilogue | undefined {
  return epilogue.bias || epilogue.relu ? { bias: epilogue.bias, relu: epilogue.relu } : undefined;
}

/** The bias, when there is one: an extra input of the recorded op. */
export function epilogueInputs(epilogue: Epilogue): Tensor[] {
  return epilogue.bias ? [epilogue.bias] : [];
}

/** dL/dz for z = product + bias from dL/dy with y = relu(z): relu passes the gradient where y > 0. */
export function preActivationGradient(y: Tensor, dy: Tensor, epilogue: Epilogue): Tensor {
  return epilogue.relu ? reluGradient(dy, y) : dy;
}

/** The bias gradient (the pre-activation gradient summed over every axis but the last), if any. */
export function biasGradient(dz: Tensor, epilogue: Epilogue): (Tensor | null)[] {
  if (!epilogue.bias) return [];
  return [epilogue.bias.requiresGrad ? sumTo(dz, epilogue.bias.shape) : null];
}
