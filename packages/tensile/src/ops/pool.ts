/** Pooling, channels-last. Padded cells never win a max and are not counted in an average. */
import type { Pool2DInfo } from '../backend/contract.js';
import { record } from '../autograd/graph.js';
import { GradError, ShapeError } from '../errors.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { pair, resolvePadding } from './conv.js';
import type { Padding } from './conv.js';
import { backendOf, requireFloat, requireTensor } from './dispatch.js';
import { wrap } from '../tensor/wrap.js';
import { max, mean } from './reduce.js';
import { defineOp } from './registry.js';
import { squeeze, unsqueeze } from './reshape.js';
import { type CallSpec, optionNames } from '../options.js';

export interface Pool2DOptions {
  /** Window size (default 2). */
  poolSize?: number | readonly [number, number];
  /** Step between windows (default: the window size). */
  strides?: number | readonly [number, number];
  padding?: Padding;
}

const pool2dCall: CallSpec = { maxArgs: 2, optionsAt: 1, options: optionNames<Pool2DOptions>()('poolSize', 'strides', 'padding') };

function poolInfo(op: string, x: Tensor, options: Pool2DOptions): Pool2DInfo {
  requireTensor(op, x);
  requireFloat(op, x);
  if (x.rank !== 4) throw new ShapeError(`${op}: input must be NHWC (rank 4), got ${formatShape(x.shape)}`);
  const [batch, inHeight, inWidth, channels] = x.shape as [number, number, number, number];
  const [filterHeight, filterWidth] = pair(options.poolSize, 2, 'poolSize', op);
  const [strideHeight, strideWidth] = pair(options.strides ?? [filterHeight, filterWidth], 1, 'strides', op);
  const [padTop, padBottom, padLeft, padRight] = resolvePadding(options.padding ?? 'valid', [inHeight, inWidth], [filterHeight, filterWidth], [strideHeight, strideWidth], op);
  if (padTop >= filterHeight || padLeft >= filterWidth || padBottom >= filterHeight || padRight >= filterWidth) {
    throw new ShapeError(`${op}: padding must be smaller than the window ${filterHeight}×${filterWidth}`);
  }
  const outHeight = Math.floor((inHeight + padTop + padBottom - filterHeight) / strideHeight) + 1;
  const outWidth = Math.floor((inWidth + padLeft + padRight - filterWidth) / strideWidth) + 1;
  if (outHeight <= 0 || outWidth <= 0) throw new ShapeError(`${op}: window ${filterHeight}×${filterWidth} does not fit input ${formatShape(x.shape)}`);
  return { batch, inHeight, inWidth, channels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, padTop, padLeft };
}

function pool(kind: 'max' | 'avg', op: string, x: Tensor, info: Pool2DInfo): Tensor {
  const backend = backendOf(op, x);
  const y = wrap(backend, backend.pool2d(kind, x, info), [info.batch, info.outHeight, info.outWidth, info.channels], x.dtype);
  return record(op, y, [x], (dy) => [poolBackward(kind, op, dy, x, info)]);
}

function poolBackward(kind: 'max' | 'avg', op: string, dy: Tensor, x: Tensor, info: Pool2DInfo): Tensor {
  const backend = backendOf(op, dy, x);
  const dx = wrap(backend, backend.pool2dBackward(kind, dy, x, info), x.shape, dy.dtype);
  // The average's backward is linear in dy with the average as its adjoint; max's would need the argmax positions.
  return record(`${op}Backward`, dx, [dy], (g) => {
    if (kind === 'max') throw new GradError(`${op}: second derivatives through max pooling are not supported`);
    return [pool('avg', op, g, info)];
  });
}

export const maxPool2d = defineOp('maxPool2d', 'differentiable', (x: Tensor, options: Pool2DOptions = {}): Tensor =>
  pool('max', 'maxPool2d', x, poolInfo('maxPool2d', x, options)),
  pool2dCall,
);

export const avgPool2d = defineOp('avgPool2d', 'differentiable', (x: Tensor, options: Pool2DOptions = {}): Tensor =>
  pool('avg', 'avgPool2d', x, poolInfo('avgPool2d', x, options)),
  pool2dCall,
);

export interface Pool1DOptions {
  poolSize?: number;
  strides?: number;
  padding?: 'valid' | 'same';
}

const pool1dCall: CallSpec = { maxArgs: 2, optionsAt: 1, options: optionNames<Pool1DOptions>()('poolSize', 'strides', 'padding') };

function pool1d(pool2: (x: Tensor, o: Pool2DOptions) => Tensor, op: string, x: Tensor, options: Pool1DOptions): Tensor {
  if (x.rank !== 3) throw new ShapeError(`${op}: input must be NWC (rank 3), got ${formatShape(x.shape)}`);
  const size = options.poolSize ?? 2;
  return squeeze(pool2(unsqueeze(x, 1), { poolSize: [1, size], strides: [1, options.strides ?? size], padding: options.padding ?? 'valid' }), 1);
}

export const maxPool1d = defineOp('maxPool1d', 'differentiable', (x: Tensor, options: Pool1DOptions = {}): Tensor => pool1d(maxPool2d, 'maxPool1d', x, options), pool1dCall);
export const avgPool1d = defineOp('avgPool1d', 'differentiable', (x: Tensor, options: Pool1DOptions = {}): Tensor => pool1d(avgPool2d, 'avgPool1d', x, options), pool1dCall);

function requireNHWC(op: string, x: Tensor): void {
  requireTensor(op, x);
  if (x.rank !== 4) throw new ShapeError(`${op}: input must be NHWC (rank 4), got ${formatShape(x.shape)}`);
}

/** Mean over height and width: [N,H,W,C] → [N,C] (or [N,1,1,C] with keepDims). */
export const globalAvgPool2d = defineOp('globalAvgPool2d', 'differentiable', (x: Tensor, keepDims = false): Tensor => {
  requireNHWC('globalAvgPool2d', x);
  return mean(x, [1, 2], keepDims);
}, { maxArgs: 2 });

/** Max over height and width: [N,H,W,C] → [N,C]. */
export const globalMaxPool2d = defineOp('globalMaxPool2d', 'differentiable', (x: Tensor, keepDims = false): Tensor => {
  requireNHWC('globalMaxPool2d', x);
  return max(x, [1, 2], keepDims);
});
