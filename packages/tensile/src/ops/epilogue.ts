/**
 * Bias, a residual add and ReLU folded into a product kernel's output pass (the backend's
 * OutputEpilogue), as used by fusedMatmul and fusedConv2d: validation, the backend's view, and the
 * gradient rules.
 */
import type { OutputEpilogue } from '../backend/contract.js';
import { DTypeError, ShapeError } from '../errors.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { sumTo } from './reduce.js';
import { reluGradient } from './unary.js';

export interface Epilogue {
  /** Added to every output row: one value per output channel (shape [channels]). */
  readonly bias: Tensor | null;
  /** Added after the bias, before ReLU: a tensor of the output's shape (a dense or residual connection). */
  readonly residual: Tensor | null;
  readonly relu: boolean;
}

export const NO_EPILOGUE: Epilogue = { bias: null, residual: null, relu: false };

/**
 * Throws naming the op unless the bias is a [channels] tensor and the residual a tensor of the
 * output's shape, both of the output's dtype.
 */
export function checkEpilogue(op: string, epilogue: Epilogue, outShape: readonly number[], dtype: Tensor['dtype']): void {
  const { bias, residual } = epilogue;
  const channels = outShape[outShape.length - 1]!;
  if (bias && (bias.rank !== 1 || bias.shape[0] !== channels)) {
    throw new ShapeError(`${op}: bias must have shape [${channels}] (one value per output channel), got ${formatShape(bias.shape)}`);
  }
  if (bias && bias.dtype !== dtype) throw new DTypeError(`${op}: bias is ${bias.dtype} but the output is ${dtype}`);
  if (residual && !shapesEqual(residual.shape, outShape)) {
    throw new ShapeError(`${op}: residual must have the output's shape ${formatShape(outShape)}, got ${formatShape(residual.shape)}`);
  }
  if (residual && residual.dtype !== dtype) throw new DTypeError(`${op}: residual is ${residual.dtype} but the output is ${dtype}`);
}

/** What the kernel is asked to do, or undefined for a plain product. */
export function backendEpilogue(epilogue: Epilogue): OutputEpilogue | undefined {
  const { bias, residual, relu } = epilogue;
  if (!bias && !residual && !relu) return undefined;
  return residual ? { bias, residual, relu } : { bias, relu };
}

/** The bias and the residual, when there are: extra inputs of the recorded op, in this order. */
export function epilogueInputs(epilogue: Epilogue): Tensor[] {
  return [epilogue.bias, epilogue.residual].filter((t): t is Tensor => t !== null);
}

/** dL/dz for z = product + bias from dL/dy with y = relu(z): relu passes the gradient where y > 0. */
export function preActivationGradient(y: Tensor, dy: Tensor, epilogue: Epilogue): Tensor {
  return epilogue.relu ? reluGradient(dy, y) : dy;
}

/**
 * The gradients of epilogueInputs: the bias's (the pre-activation gradient summed over every axis
 * but the last) and the residual's (the pre-activation gradient itself).
 */
export function epilogueGradients(dz: Tensor, epilogue: Epilogue): (Tensor | null)[] {
  const { bias, residual } = epilogue;
  return [
    ...(bias ? [bias.requiresGrad ? sumTo(dz, bias.shape) : null] : []),
    ...(residual ? [residual.requiresGrad ? dz : null] : []),
  ];
}
