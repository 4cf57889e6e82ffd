/**
 * Products with their bias and activation in one op (TensorFlow.js's `tf.fused.*`): the kernel adds
 * the bias and applies ReLU as it writes the output, so a dense or conv layer makes one pass over
 * its output instead of three. Other activations run after the fused bias.
 */
import { ShapeError } from '../errors.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { activation as activationFn, type ActivationName } from './activations.js';
import { conv2dInfo, conv2dRaw, type Conv2DOptions } from './conv.js';
import { requireTensor } from './dispatch.js';
import type { Epilogue } from './epilogue.js';
import { matmulTransposed } from './matmul.js';
import { defineOp } from './registry.js';
import { reshape } from './reshape.js';

export interface FusedOptions {
  /** Added per output channel (the last axis): shape [n] or [outChannels]. */
  readonly bias?: Tensor | null;
  /** Default 'linear'. ReLU is fused into the kernel; others are applied to its output. */
  readonly activation?: ActivationName;
}

export interface FusedMatmulOptions extends FusedOptions {
  readonly transposeA?: boolean;
  readonly transposeB?: boolean;
}

export type FusedConv2DOptions = FusedOptions & Conv2DOptions;

function split(options: FusedOptions): [Epilogue, ((x: Tensor) => Tensor) | null] {
  const name = options.activation ?? 'linear';
  const epilogue = { bias: options.bias ?? null, relu: name === 'relu' };
  return [epilogue, name === 'relu' || name === 'linear' ? null : activationFn(name)];
}

/** activation(op(a)·op(b) + bias): a [..., m, k] (or [k]), b [..., k, n], bias [n]. */
export const fusedMatmul = defineOp('fusedMatmul', 'differentiable', (a: Tensor, b: Tensor, options: FusedMatmulOptions = {}): Tensor => {
  requireTensor('fusedMatmul', a);
  requireTensor('fusedMatmul', b, 'second operand');
  if (b.rank < 2) throw new ShapeError(`fusedMatmul: the second operand must have rank ≥ 2, got ${formatShape(b.shape)}`);
  if (a.rank === 0) throw new ShapeError(`fusedMatmul: the first operand must have rank ≥ 1, got ${formatShape(a.shape)}`);
  const [epilogue, after] = split(options);
  const y = matmulTransposed(a.rank === 1 ? reshape(a, [1, -1]) : a, b, options.transposeA ?? false, options.transposeB ?? false, epilogue);
  const shaped = a.rank === 1 ? reshape(y, y.shape.slice(1)) : y;
  return after ? after(shaped) : shaped;
});

/** activation(conv2d(x, filter) + bias): NHWC input, HWIO filter, bias [outChannels]. */
export const fusedConv2d = defineOp('fusedConv2d', 'differentiable', (x: Tensor, filter: Tensor, options: FusedConv2DOptions = {}): Tensor => {
  const [epilogue, after] = split(options);
  const y = conv2dRaw(x, filter, conv2dInfo('fusedConv2d', x, filter, options), epilogue);
  return after ? after(y) : y;
});
