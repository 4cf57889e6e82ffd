/**
 * Convolutions, channels-last: input NHWC (NWC for 1-D), filters HWIO (WIO), I = inChannels/groups.
 * conv2dBackpropInput/Filter are differentiable too, so second derivatives flow through convs.
 */
import type { Conv2DInfo } from '../backend/contract.js';
import { record } from '../autograd/graph.js';
import { DTypeError, ShapeError, ValueError } from '../errors.js';
import type { Shape } from '../tensor/shape.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { backendOf, requireFloat, requireTensor } from './dispatch.js';
import { wrap } from '../tensor/wrap.js';
import { backendEpilogue, epilogueGradients, checkEpilogue, epilogueInputs, NO_EPILOGUE, preActivationGradient, type Epilogue } from './epilogue.js';
import { defineOp } from './registry.js';
import { reshape, squeeze, unsqueeze } from './reshape.js';
import { type CallSpec, optionNames } from '../options.js';

/** 'valid' (none), 'same' (output = ceil(input/stride)), a symmetric amount, or [[top,bottom],[left,right]]. */
export type Padding = 'valid' | 'same' | number | readonly [readonly [number, number], readonly [number, number]];

export interface Conv2DOptions {
  strides?: number | readonly [number, number];
  padding?: Padding;
  dilation?: number | readonly [number, number];
  groups?: number;
}

const CONV2D_OPTIONS = optionNames<Conv2DOptions>()('strides', 'padding', 'dilation', 'groups');
const conv2dCall: CallSpec = { maxArgs: 3, optionsAt: 2, options: CONV2D_OPTIONS };
const depthwiseCall: CallSpec = { maxArgs: 3, optionsAt: 2, options: optionNames<Omit<Conv2DOptions, 'groups'>>()('strides', 'padding', 'dilation') };

/** A window size, stride or dilation as [height, width] of positive integers (`fallback` when omitted). */
export function pair(v: number | readonly [number, number] | undefined, fallback: number, what: string, op: string): [number, number] {
  const p: [number, number] = v === undefined ? [fallback, fallback] : typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((n) => Number.isInteger(n) && n >= 1)) throw new ValueError(`${op}: ${what} must be positive integers, got ${JSON.stringify(v)}`);
  return p;
}

/** Resolves padding to [top, bottom, left, right] for the given sizes. */
export function resolvePadding(
  padding: Padding,
  [inH, inW]: readonly [number, number],
  [kH, kW]: readonly [number, number],
  [sH, sW]: readonly [number, number],
  op: string,
): [number, number, number, number] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding === 'same') {
    const total = (n: number, k: number, s: number): number => Math.max((Math.ceil(n / s) - 1) * s + k - n, 0);
    const ph = total(inH, kH, sH);
    const pw = total(inW, kW, sW);
    // TensorFlow puts the odd pixel at the bottom/right.
    return [Math.floor(ph / 2), ph - Math.floor(ph / 2), Math.floor(pw / 2), pw - Math.floor(pw / 2)];
  }
  if (typeof padding === 'number') {
    if (!Number.isInteger(padding) || padding < 0) throw new ValueError(`${op}: padding must be a non-negative integer, got ${padding}`);
    return [padding, padding, padding, padding];
  }
  const flat = [padding[0][0], padding[0][1], padding[1][0], padding[1][1]] as [number, number, number, number];
  if (!flat.every((n) => Number.isInteger(n) && n >= 0)) throw new ValueError(`${op}: explicit padding must be non-negative integers, got ${JSON.stringify(padding)}`);
  return flat;
}

/** Validates the operands' dtypes and works out every size of a 2-D convolution. */
export function conv2dInfo(op: string, x: Tensor, filter: Tensor, options: Conv2DOptions): Conv2DInfo {
  requireTensor(op, x);
  requireTensor(op, filter, 'filter');
  requireFloat(op, x);
  if (x.dtype !== filter.dtype) throw new DTypeError(`${op}: input is ${x.dtype} but filter is ${filter.dtype}`);
  return conv2dGeometry(op, x.shape, filter.shape, options);
}

/** Every size of a 2-D convolution of an NHWC input of `xShape` with an HWIO filter of `filterShape`. */
export function conv2dGeometry(op: string, xShape: Shape, filterShape: Shape, options: Conv2DOptions): Conv2DInfo {
  if (xShape.length !== 4) throw new ShapeError(`${op}: input must be NHWC (rank 4), got ${formatShape(xShape)}`);
  if (filterShape.length !== 4) throw new ShapeError(`${op}: filter must be HWIO (rank 4), got ${formatShape(filterShape)}`);
  const [batch, inHeight, inWidth, inChannels] = xShape as [number, number, number, number];
  const [filterHeight, filterWidth, filterIn, outChannels] = filterShape as [number, number, number, number];
  const groups = options.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1 || inChannels % groups !== 0 || outChannels % groups !== 0) {
    throw new ShapeError(`${op}: groups=${groups} must divide input channels ${inChannels} and output channels ${outChannels}`);
  }
  if (filterIn !== inChannels / groups) {
    throw new ShapeError(
      `${op}: filter ${formatShape(filterShape)} expects ${filterIn} input channels per group, input ${formatShape(xShape)} has ${inChannels / groups} (groups=${groups})`,
    );
  }
  const [strideHeight, strideWidth] = pair(options.strides, 1, 'strides', op);
  const [dilationHeight, dilationWidth] = pair(options.dilation, 1, 'dilation', op);
  const effH = (filterHeight - 1) * dilationHeight + 1;
  const effW = (filterWidth - 1) * dilationWidth + 1;
  const [padTop, padBottom, padLeft, padRight] = resolvePadding(options.padding ?? 'valid', [inHeight, inWidth], [effH, effW], [strideHeight, strideWidth], op);
  const outHeight = Math.floor((inHeight + padTop + padBottom - effH) / strideHeight) + 1;
  const outWidth = Math.floor((inWidth + padLeft + padRight - effW) / strideWidth) + 1;
  if (outHeight <= 0 || outWidth <= 0) {
    throw new ShapeError(`${op}: filter ${formatShape(filterShape)} (dilated ${effH}×${effW}) does not fit input ${formatShape(xShape)} with this padding`);
  }
  return {
    batch, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth,
    strideHeight, strideWidth, dilationHeight, dilationWidth, padTop, padLeft, groups,
  };
}

/** The convolution, then the epilogue (+ bias[outChannels], + residual, ReLU) in the same kernel. */
export function conv2dRaw(x: Tensor, filter: Tensor, info: Conv2DInfo, epilogue: Epilogue = NO_EPILOGUE): Tensor {
  const op = epilogue === NO_EPILOGUE ? 'conv2d' : 'fusedConv2d';
  const outShape = [info.batch, info.outHeight, info.outWidth, info.outChannels];
  checkEpilogue(op, epilogue, outShape, x.dtype);
  const backend = backendOf(op, x, filter, ...epilogueInputs(epilogue));
  const y = wrap(backend, backend.conv2d(x, filter, info, backendEpilogue(epilogue)), outShape, x.dtype);
  return record(op, y, [x, filter, ...epilogueInputs(epilogue)], (dy) => {
    const dz = preActivationGradient(y, dy, epilogue);
    return [
      x.requiresGrad ? backpropInput(dz, filter, info) : null,
      filter.requiresGrad ? backpropFilter(x, dz, info) : null,
      ...epilogueGradients(dz, epilogue),
    ];
  });
}

// dx = convᵀ(dy, w) is bilinear in (dy, w): d/d(dy) = conv2d(g, w), d/dw = backpropFilter(g, dy).
function backpropInput(dy: Tensor, filter: Tensor, info: Conv2DInfo): Tensor {
  const backend = backendOf('conv2dBackpropInput', dy, filter);
  const dx = wrap(backend, backend.conv2dBackpropInput(dy, filter, info), [info.batch, info.inHeight, info.inWidth, info.inChannels], dy.dtype);
  return record('conv2dBackpropInput', dx, [dy, filter], (g) => [
    dy.requiresGrad ? conv2dRaw(g, filter, info) : null,
    filter.requiresGrad ? backpropFilter(g, dy, info) : null,
  ]);
}

// dw = backpropFilter(x, dy) is bilinear in (x, dy): d/dx = backpropInput(dy, g), d/d(dy) = conv2d(x, g).
function backpropFilter(x: Tensor, dy: Tensor, info: Conv2DInfo): Tensor {
  const backend = backendOf('conv2dBackpropFilter', x, dy);
  const shape = [info.filterHeight, info.filterWidth, info.inChannels / info.groups, info.outChannels];
  const dw = wrap(backend, backend.conv2dBackpropFilter(x, dy, info), shape, x.dtype);
  return record('conv2dBackpropFilter', dw, [x, dy], (g) => [
    x.requiresGrad ? backpropInput(dy, g, info) : null,
    dy.requiresGrad ? conv2dRaw(x, g, info) : null,
  ]);
}

/** 2-D convolution (cross-correlation, as in every DL framework) of NHWC input with an HWIO filter. */
export const conv2d = defineOp('conv2d', 'differentiable', (x: Tensor, filter: Tensor, options: Conv2DOptions = {}): Tensor =>
  conv2dRaw(x, filter, conv2dInfo('conv2d', x, filter, options)),
  conv2dCall,
);

export interface Conv1DOptions {
  stride?: number;
  padding?: 'valid' | 'same' | number | readonly [number, number];
  dilation?: number;
  groups?: number;
}

/** 1-D convolution of NWC input with a WIO filter. */
const conv1dCall: CallSpec = { maxArgs: 3, optionsAt: 2, options: optionNames<Conv1DOptions>()('stride', 'padding', 'dilation', 'groups') };

export const conv1d = defineOp('conv1d', 'differentiable', (x: Tensor, filter: Tensor, options: Conv1DOptions = {}): Tensor => {
  if (x.rank !== 3) throw new ShapeError(`conv1d: input must be NWC (rank 3), got ${formatShape(x.shape)}`);
  if (filter.rank !== 3) throw new ShapeError(`conv1d: filter must be WIO (rank 3), got ${formatShape(filter.shape)}`);
  const p = options.padding;
  const padding: Padding = p === undefined || typeof p === 'string' || typeof p === 'number' ? (typeof p === 'number' ? [[0, 0], [p, p]] : p ?? 'valid') : [[0, 0], p];
  const y = conv2d(unsqueeze(x, 1), unsqueeze(filter, 0), {
    strides: [1, options.stride ?? 1],
    dilation: [1, options.dilation ?? 1],
    groups: options.groups ?? 1,
    padding: padding === 'same' ? [[0, 0], sameAmounts(x.shape[1]!, filter.shape[0]!, options.stride ?? 1, options.dilation ?? 1)] : padding,
  });
  return squeeze(y, 1);
}, conv1dCall);

function sameAmounts(n: number, k: number, s: number, d: number): [number, number] {
  const eff = (k - 1) * d + 1;
  const total = Math.max((Math.ceil(n / s) - 1) * s + eff - n, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** Depthwise 2-D convolution: filter [kH, kW, C, multiplier], output C·multiplier channels. */
export const depthwiseConv2d = defineOp('depthwiseConv2d', 'differentiable', (x: Tensor, filter: Tensor, options: Omit<Conv2DOptions, 'groups'> = {}): Tensor => {
  if (filter.rank !== 4) throw new ShapeError(`depthwiseConv2d: filter must be [kH, kW, C, multiplier], got ${formatShape(filter.shape)}`);
  const [kH, kW, c, mult] = filter.shape as [number, number, number, number];
  if (x.rank === 4 && x.shape[3] !== c) throw new ShapeError(`depthwiseConv2d: filter ${formatShape(filter.shape)} has ${c} channels, input ${formatShape(x.shape)} has ${x.shape[3]}`);
  return conv2d(x, reshape(filter, [kH, kW, 1, c * mult]), { ...options, groups: c });
}, depthwiseCall);

/** Depthwise then 1×1 pointwise convolution (Keras SeparableConv2D). */
const separableCall: CallSpec = { ...depthwiseCall, maxArgs: 4, optionsAt: 3 };

export const separableConv2d = defineOp(
  'separableConv2d',
  'differentiable',
  (x: Tensor, depthwiseFilter: Tensor, pointwiseFilter: Tensor, options: Omit<Conv2DOptions, 'groups'> = {}): Tensor =>
    conv2d(depthwiseConv2d(x, depthwiseFilter, options), pointwiseFilter),
  separableCall,
);

export interface Conv2DTransposeOptions extends Omit<Conv2DOptions, 'groups'> {
  /** Output [height, width]; by default the smallest size whose convolution gives the input's size. */
  outputSize?: readonly [number, number];
}

/**
 * Transposed convolution (the gradient of conv2d with respect to its input). Filter HWOI as in
 * TensorFlow: [kH, kW, outChannels, inChannels].
 */
const conv2dTransposeCall: CallSpec = { maxArgs: 3, optionsAt: 2, options: optionNames<Conv2DTransposeOptions>()('strides', 'padding', 'dilation', 'outputSize') };

export const conv2dTranspose = defineOp('conv2dTranspose', 'differentiable', (x: Tensor, filter: Tensor, options: Conv2DTransposeOptions = {}): Tensor => {
  requireTensor('conv2dTranspose', x);
  if (x.rank !== 4 || filter.rank !== 4) throw new ShapeError(`conv2dTranspose: input must be NHWC and filter HWOI, got ${formatShape(x.shape)} and ${formatShape(filter.shape)}`);
  const [n, h, w, cin] = x.shape as [number, number, number, number];
  const [kH, kW, cout, fin] = filter.shape as [number, number, number, number];
  if (fin !== cin) throw new ShapeError(`conv2dTranspose: filter ${formatShape(filter.shape)} expects ${fin} input channels, input ${formatShape(x.shape)} has ${cin}`);
  const [sH, sW] = pair(options.strides, 1, 'strides', 'conv2dTranspose');
  const [dH, dW] = pair(options.dilation, 1, 'dilation', 'conv2dTranspose');
  const effH = (kH - 1) * dH + 1;
  const effW = (kW - 1) * dW + 1;
  const padding = options.padding ?? 'valid';
  const [outH, outW] =
    options.outputSize ?? (padding === 'same' ? [h * sH, w * sW] : [(h - 1) * sH + effH - padTotal(padding, 0), (w - 1) * sW + effW - padTotal(padding, 1)]);
  if (x.dtype !== filter.dtype) throw new DTypeError(`conv2dTranspose: input is ${x.dtype} but filter is ${filter.dtype}`);
  // The forward conv this transposes maps [n, outH, outW, cout] to x's shape.
  const info = conv2dGeometry('conv2dTranspose', [n, outH, outW, cout], filter.shape, { strides: [sH, sW], dilation: [dH, dW], padding });
  if (info.outHeight !== h || info.outWidth !== w) {
    throw new ShapeError(`conv2dTranspose: output size [${outH}, ${outW}] is inconsistent with input ${formatShape(x.shape)} for these strides and padding`);
  }
  return backpropInput(x, filter, info);
}, conv2dTransposeCall);

function padTotal(padding: Padding, axis: 0 | 1): number {
  if (padding === 'valid' || padding === 'same') return 0;
  if (typeof padding === 'number') return 2 * padding;
  return padding[axis][0] + padding[axis][1];
}
