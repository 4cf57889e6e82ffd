/** The contract's OutputEpilogue on a finished output: + bias along the last axis, then ReLU, in place. */
import type { TypedArray } from '../../tensor/dtype.js';

export function applyEpilogue(out: TypedArray, bias: TypedArray | null, relu: boolean): TypedArray {
  const channels = bias?.length ?? 1;
  for (let i = 0; i < out.length; i++) {
    let v = Number(out[i]);
    if (bias) v += Number(bias[i % channels]);
    if (relu && v <= 0) v = 0; // NaN passes through, as in the unary relu
    out[i] = v;
  }
  return out;
}
