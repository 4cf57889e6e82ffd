/**
 * The contract's OutputEpilogue on a finished output, in place: + bias along the last axis, + the
 * residual (the output's shape), then ReLU. Each add is stored (rounded to the output's dtype) before
 * the next, as separate add ops would be.
 */
import type { TypedArray } from '../../tensor/dtype.js';

export function applyEpilogue(out: TypedArray, bias: TypedArray | null, residual: TypedArray | null, relu: boolean): TypedArray {
  const channels = bias?.length ?? 1;
  for (let i = 0; i < out.length; i++) {
    if (bias) out[i] = Number(out[i]) + Number(bias[i % channels]);
    if (residual) out[i] = Number(out[i]) + Number(residual[i]);
    if (relu && Number(out[i]) <= 0) out[i] = 0; // NaN passes through, as in the unary relu
  }
  return out;
}
