/** Output sizes of convolutions and pools along one spatial axis, with unknown (null) sizes passed through. */
import { ShapeError } from '../../errors.js';

export type PaddingMode = 'valid' | 'same';

export function pairOf(v: number | readonly [number, number] | undefined, fallback: number): [number, number] {
  return v === undefined ? [fallback, fallback] : typeof v === 'number' ? [v, v] : [v[0], v[1]];
}

/** Length of a convolution's (or pool's) output along an axis of length `n`. */
export function convOutputLength(n: number | null, kernel: number, stride: number, dilation: number, padding: PaddingMode): number | null {
  if (n === null) return null;
  const effective = (kernel - 1) * dilation + 1;
  const out = padding === 'same' ? Math.ceil(n / stride) : Math.floor((n - effective) / stride) + 1;
  if (out <= 0) throw new ShapeError(`a window of ${effective} (kernel ${kernel}, dilation ${dilation}) does not fit a spatial size of ${n} with padding '${padding}'`);
  return out;
}

/** Length of a transposed convolution's output: the input length of the convolution it transposes. */
export function deconvOutputLength(n: number | null, kernel: number, stride: number, dilation: number, padding: PaddingMode): number | null {
  if (n === null) return null;
  return padding === 'same' ? n * stride : (n - 1) * stride + (kernel - 1) * dilation + 1;
}
