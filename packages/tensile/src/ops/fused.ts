/**
 * Products with their bias and activation in one op (TensorFlow.js's `tf.fused.*`): the kernel adds
 * the bias (and a residual, when given) and applies ReLU as it writes the output, so a dense or conv
 * layer makes one pass over its output instead of three or four. Other activations run after the
 * fused adds.
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
  /**
   * Added element by element after the bias, before the activation: a tensor of the output's shape
   * (a residual or dense connection, `activation(product + bias + residual)`).
   */
  readonly residual?: Tensor | null;
  /** Default 'linear'. ReLU is fused into the kernel; others are applied to its output. */
  readonly activation?: ActivationName;
}

export interface FusedMatmulOptions extends FusedOptions {
  readonly transposeA?: boolean;
  readonly transposeB?: boolean;
}

export type FusedConv2DOptions = FusedOptions & Conv2DOptions;

function split(op: string, options: FusedOptions, productRank1 = false): [Epilogue, ((x: Tensor) => Tensor) | null] {
  const name = options.activation ?? 'linear';
  const residual = options.residual ?? null;
  if (residual) requireTensor(op, residual, 'residual');
  // A rank-1 first operand is multiplied as one row: the residual gets that row axis too.
  const epilogue = { bias: options.bias ?? null, residual: residual && productRank1 ? reshape(residual, [1, ...residual.shape]) : residual, relu: name === 'relu' };
  return [epilogue, name === 'relu' || name === 'linear' ? null : activationFn(name)];
}

/** activation(op(a)·op(b) + bias + residual): a [..., m, k] (or [k]), b [..., k, n], bias [n], residual the output's shape. */
export const fusedMatmul = defineOp('fusedMatmul', 'differentiable', (a: Tensor, b: Tensor, options: FusedMatmulOptions = {}): Tensor => {
  requireTensor('fusedMatmul', a);
  requireTensor('fusedMatmul', b, 'second operand');
  if (b.rank < 2) throw new ShapeError(`fusedMatmul: the second operand must have rank ≥ 2, got ${formatShape(b.shape)}`);
  if (a.rank === 0) throw new ShapeError(`fusedMatmul: the first operand must have rank ≥ 1, got ${formatShape(a.shape)}`);
  const [epilogue, after] = split('fusedMatmul', options, a.rank === 1);
  const y = matmulTransposed(a.rank === 1 ? reshape(a, [1, -1]) : a, b, options.transposeA ?? false, options.transposeB ?? false, epilogue);
  const shaped = a.rank === 1 ? reshape(y, y.shape.slice(1)) : y;
  return after ? after(shaped) : shaped;
});

/** activation(conv2d(x, filter) + bias + residual): NHWC input, HWIO filter, bias [outChannels], residual the output's shape. */
export const fusedConv2d = defineOp('fusedConv2d', 'differentiable', (x: Tensor, filter: Tensor, options: FusedConv2DOptions = {}): Tensor => {
  const [epilogue, after] = split('fusedConv2d', options);
  const y = conv2dRaw(x, filter, conv2dInfo('fusedConv2d', x, filter, options), epilogue);
  return after ? after(y) : y;
});
