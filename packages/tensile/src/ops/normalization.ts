/** Normalisation primitives, composed from differentiable ops. */
import { ShapeError, ValueError } from '../errors.js';
import { normAxes } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { add, div, maximum, mul, sub } from './arithmetic.js';
import { requireTensor } from './dispatch.js';
import { mean, sum, variance } from './reduce.js';
import { defineOp } from './registry.js';
import { optionNames } from '../options.js';
import { rsqrt, sqrt, square } from './unary.js';

/**
 * (x − mean)/√(variance + ε)·scale + offset with given statistics, broadcast over the last axis
 * (channels-last). Layers compute the statistics; this is the shared arithmetic.
 */
export const batchNorm = defineOp(
  'batchNorm',
  'differentiable',
  (x: Tensor, mean_: Tensor, variance_: Tensor, options: { offset?: Tensor; scale?: Tensor; epsilon?: number } = {}): Tensor => {
    let y = mul(sub(x, mean_), rsqrt(add(variance_, options.epsilon ?? 1e-3)));
    if (options.scale) y = mul(y, options.scale);
    if (options.offset) y = add(y, options.offset);
    return y;
  },
);

/** Normalises over `axes` (default: the last) with the batch's own statistics, then scales and shifts. */
export const layerNorm = defineOp(
  'layerNorm',
  'differentiable',
  (x: Tensor, options: { axes?: number | readonly number[]; gamma?: Tensor; beta?: Tensor; epsilon?: number } = {}): Tensor => {
    if (x.rank === 0) throw new ShapeError('layerNorm: input must have rank ≥ 1');
    const axes = normAxes(options.axes ?? -1, x.rank, 'layerNorm');
    const mu = mean(x, axes, true);
    const v = variance(x, axes, { keepDims: true });
    let y = mul(sub(x, mu), rsqrt(add(v, options.epsilon ?? 1e-5)));
    if (options.gamma) y = mul(y, options.gamma);
    if (options.beta) y = add(y, options.beta);
    return y;
  },
);

interface L2NormalizeOptions {
  readonly axis?: number;
  readonly epsilon?: number;
}

/**
 * x / max(‖x‖₂, ε) along `axis` (default the last): unit-length rows, as face embeddings and the
 * class weights of margin losses need. The floor keeps an all-zero row finite (it stays zero).
 */
export const l2Normalize = defineOp('l2Normalize', 'differentiable', (x: Tensor, options: L2NormalizeOptions = {}): Tensor => {
  requireTensor('l2Normalize', x, 'x');
  if (x.rank === 0) throw new ShapeError('l2Normalize: input must have rank ≥ 1');
  const epsilon = options.epsilon ?? 1e-12;
  if (!(epsilon > 0)) throw new ValueError(`l2Normalize: epsilon must be positive, got ${epsilon}`);
  return div(x, maximum(sqrt(sum(square(x), options.axis ?? -1, true)), epsilon));
}, { maxArgs: 2, optionsAt: 1, options: optionNames<L2NormalizeOptions>()('axis', 'epsilon') });
