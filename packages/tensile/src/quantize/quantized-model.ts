/**
 * An int8 network as plain data: a chain of convolutions (a dense layer is a 1×1 convolution on the
 * flattened 1×1×K image), max pools, global average pools and flattens over NHWC activations. Every convolution reads
 * int8 activations and int8 per-channel weights; all but the last write requantised int8, the last
 * writes float logits.
 */
import type { AffineParams } from './scales.js';

export interface QuantizedConv {
  readonly kind: 'conv';
  readonly name: string;
  readonly kernelHeight: number;
  readonly kernelWidth: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly padding: 'same' | 'valid';
  /** [outChannels, kernelHeight·kernelWidth·inChannels] in (ky, kx, c) order. */
  readonly weights: Int8Array;
  readonly weightScales: Float32Array;
  /** Float bias per output channel (folded into the requantisation offset at load). */
  readonly bias: Float32Array;
  readonly relu: boolean;
  /** Output quantisation; null for the last layer, whose output is float. */
  readonly output: AffineParams | null;
}

export interface QuantizedMaxPool {
  readonly kind: 'maxPool';
  readonly name: string;
  readonly poolSize: number;
}

/** Each channel's mean over the image, kept as a 1×1×C image (a following dense layer is a 1×1 conv on it). */
export interface QuantizedGlobalAveragePool {
  readonly kind: 'globalAveragePool';
  readonly name: string;
}

export interface QuantizedFlatten {
  readonly kind: 'flatten';
  readonly name: string;
}

export type QuantizedLayer = QuantizedConv | QuantizedMaxPool | QuantizedGlobalAveragePool | QuantizedFlatten;

export interface QuantizedModel {
  readonly name: string;
  /** [height, width, channels] of one input image. */
  readonly inputShape: readonly [number, number, number];
  readonly input: AffineParams;
  readonly layers: readonly QuantizedLayer[];
  /** Free-form facts kept with the model (class names, preprocessing). */
  readonly metadata: Readonly<Record<string, string>>;
}

/** [height, width, channels] after `layer`, for an input of `shape`. */
export function outputShapeOf(layer: QuantizedLayer, shape: readonly [number, number, number]): [number, number, number] {
  const [h, w, c] = shape;
  switch (layer.kind) {
    case 'conv':
      return layer.padding === 'same' ? [h, w, layer.outChannels] : [h - layer.kernelHeight + 1, w - layer.kernelWidth + 1, layer.outChannels];
    case 'maxPool':
      return [Math.floor(h / layer.poolSize), Math.floor(w / layer.poolSize), c];
    case 'globalAveragePool':
      return [1, 1, c];
    case 'flatten':
      return [1, 1, h * w * c];
  }
}
