/**
 * Convolution layers, channels-last (NWC / NHWC). Kernels use Keras' layouts: Conv1D [k, in, filters],
 * Conv2D HWIO, Conv2DTranspose [kH, kW, filters, in], DepthwiseConv2D [kH, kW, in, multiplier].
 */
import { ShapeError } from '../../errors.js';
import { conv1d, conv2dTranspose, depthwiseConv2d, separableConv2d } from '../../ops/conv.js';
import { fusedConv2d } from '../../ops/fused.js';
import type { Tensor } from '../../tensor/tensor.js';
import { initialize, type InitializerSpec } from '../initializers.js';
import { knownSize, Layer, requireRank } from '../layer.js';
import { parameter } from '../module.js';
import type { RegularizerSpec } from '../regularizers.js';
import type { SymbolicShape } from '../symbolic.js';
import { convOutputLength, deconvOutputLength, pairOf, type PaddingMode } from './conv-geometry.js';
import { biasAndActivation, type KernelArgs, makeBias, makeKernel, weightPenalties } from './weights.js';
import { KERNEL_ARGS } from './weights.js';
import { LAYER_ARGS } from '../layer.js';
import { optionNames } from '../../options.js';

const CONV_ARGS = [...KERNEL_ARGS, 'filters', 'kernelSize', 'strides', 'padding', 'dilationRate'] as const;
const DEPTHWISE_ARGS = ['activation', 'useBias', 'biasInitializer', 'biasRegularizer', 'kernelSize', 'strides', 'padding', 'dilationRate', 'depthMultiplier', 'depthwiseInitializer', 'depthwiseRegularizer', ...LAYER_ARGS] as const;

type Pair = number | readonly [number, number];

export interface Conv2DArgs extends KernelArgs {
  readonly filters: number;
  readonly kernelSize: Pair;
  readonly strides?: Pair;
  readonly padding?: PaddingMode;
  readonly dilationRate?: Pair;
  /** Grouped convolution: input and output channels split into this many independent groups. */
  readonly groups?: number;
}

/** Shared by the 2-D convolutions: spatial geometry, the channel check against the built kernel. */
abstract class SpatialConvolution<Args extends KernelArgs & { kernelSize: Pair; strides?: Pair; padding?: PaddingMode; dilationRate?: Pair }> extends Layer<Args> {
  kernel: Tensor | null = null;
  bias: Tensor | null = null;

  protected get geometry(): { kernel: [number, number]; strides: [number, number]; dilation: [number, number]; padding: PaddingMode } {
    return {
      kernel: pairOf(this.args.kernelSize, 1),
      strides: pairOf(this.args.strides, 1),
      dilation: pairOf(this.args.dilationRate, 1),
      padding: this.args.padding ?? 'valid',
    };
  }

  /** The [kH, kW, C, multiplier] depthwise kernel shared by DepthwiseConv2D and SeparableConv2D. */
  protected buildDepthwiseKernel(s: SymbolicShape, args: { readonly depthMultiplier?: number; readonly depthwiseInitializer?: InitializerSpec }): { channels: number; multiplier: number } {
    const [kh, kw] = this.geometry.kernel;
    const channels = knownSize(s, 3, 'channel');
    const multiplier = args.depthMultiplier ?? 1;
    this.kernel = parameter(initialize(args.depthwiseInitializer ?? 'glorotUniform', [kh, kw, channels, multiplier]));
    return { channels, multiplier };
  }

  /** Output channels for `inChannels`. */
  protected abstract outChannels(inChannels: number | null): number | null;

  /** The input channels the built kernel expects. */
  protected abstract builtInChannels(): number | null;

  computeOutputShape(s: SymbolicShape): SymbolicShape {
    requireRank(s, 4, 'NHWC');
    const built = this.builtInChannels();
    if (built !== null && s[3] !== null && s[3] !== built) throw new ShapeError(`built for ${built} input channels, got ${s[3]}`);
    const { kernel, strides, dilation, padding } = this.geometry;
    return [s[0]!, this.spatial(s[1]!, kernel[0], strides[0], dilation[0], padding), this.spatial(s[2]!, kernel[1], strides[1], dilation[1], padding), this.outChannels(s[3]!)];
  }

  protected spatial(n: number | null, k: number, s: number, d: number, padding: PaddingMode): number | null {
    return convOutputLength(n, k, s, d, padding);
  }

  protected convOptions(): { strides: [number, number]; padding: PaddingMode; dilation: [number, number] } {
    const { strides, dilation, padding } = this.geometry;
    return { strides, padding, dilation };
  }

  override regularizationLosses(): Tensor[] {
    return weightPenalties([[this.args.kernelRegularizer, this.kernel], [this.args.biasRegularizer, this.bias]]);
  }
}

/** 2-D convolution: `new Conv2D({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' })`. */
export class Conv2D extends SpatialConvolution<Conv2DArgs> {
  static override readonly argNames = optionNames<Conv2DArgs>()(...CONV_ARGS, 'groups');

  protected outChannels(): number {
    return this.args.filters;
  }

  protected builtInChannels(): number | null {
    return this.kernel ? this.kernel.shape[2]! * (this.args.groups ?? 1) : null;
  }

  override computeOutputShape(s: SymbolicShape): SymbolicShape {
    const groups = this.args.groups ?? 1;
    if (s[3] !== null && s[3] !== undefined && (s[3] % groups !== 0 || this.args.filters % groups !== 0)) {
      throw new ShapeError(`groups=${groups} must divide the input channels ${s[3]} and filters ${this.args.filters}`);
    }
    return super.computeOutputShape(s);
  }

  protected override build(s: SymbolicShape): void {
    const [kh, kw] = this.geometry.kernel;
    this.kernel = makeKernel(this.args, [kh, kw, knownSize(s, 3, 'channel') / (this.args.groups ?? 1), this.args.filters]);
    this.bias = makeBias(this.args, this.args.filters);
  }

  protected call(x: Tensor): Tensor {
    return fusedConv2d(x, this.kernel!, { ...this.convOptions(), groups: this.args.groups ?? 1, bias: this.bias, activation: this.args.activation });
  }
}

export type Conv2DTransposeArgs = Omit<Conv2DArgs, 'groups'>;

/** Transposed convolution (learned upsampling); with padding 'same' the output is input × strides. */
export class Conv2DTranspose extends SpatialConvolution<Conv2DTransposeArgs> {
  static override readonly argNames = optionNames<Conv2DTransposeArgs>()(...CONV_ARGS);

  protected outChannels(): number {
    return this.args.filters;
  }

  protected builtInChannels(): number | null {
    return this.kernel ? this.kernel.shape[3]! : null;
  }

  protected override spatial(n: number | null, k: number, s: number, d: number, padding: PaddingMode): number | null {
    return deconvOutputLength(n, k, s, d, padding);
  }

  protected override build(s: SymbolicShape): void {
    const [kh, kw] = this.geometry.kernel;
    this.kernel = makeKernel(this.args, [kh, kw, this.args.filters, knownSize(s, 3, 'channel')]);
    this.bias = makeBias(this.args, this.args.filters);
  }

  protected call(x: Tensor): Tensor {
    return biasAndActivation(this.args, conv2dTranspose(x, this.kernel!, this.convOptions()), this.bias);
  }
}

export interface DepthwiseConv2DArgs extends Omit<Conv2DArgs, 'filters' | 'groups' | 'kernelInitializer' | 'kernelRegularizer'> {
  /** Output channels per input channel (default 1). */
  readonly depthMultiplier?: number;
  readonly depthwiseInitializer?: InitializerSpec;
  readonly depthwiseRegularizer?: RegularizerSpec;
}

/** Each input channel convolved with its own filters: C·depthMultiplier output channels. */
export class DepthwiseConv2D extends SpatialConvolution<DepthwiseConv2DArgs> {
  static override readonly argNames = optionNames<DepthwiseConv2DArgs>()(...DEPTHWISE_ARGS);

  protected outChannels(c: number | null): number | null {
    return c === null ? null : c * (this.args.depthMultiplier ?? 1);
  }

  protected builtInChannels(): number | null {
    return this.kernel ? this.kernel.shape[2]! : null;
  }

  protected override build(s: SymbolicShape): void {
    const { channels, multiplier } = this.buildDepthwiseKernel(s, this.args);
    this.bias = makeBias(this.args, channels * multiplier);
  }

  protected call(x: Tensor): Tensor {
    return biasAndActivation(this.args, depthwiseConv2d(x, this.kernel!, this.convOptions()), this.bias);
  }

  override regularizationLosses(): Tensor[] {
    return weightPenalties([[this.args.depthwiseRegularizer, this.kernel], [this.args.biasRegularizer, this.bias]]);
  }
}

export interface SeparableConv2DArgs extends Omit<Conv2DArgs, 'groups' | 'kernelInitializer' | 'kernelRegularizer'> {
  readonly depthMultiplier?: number;
  readonly depthwiseInitializer?: InitializerSpec;
  readonly pointwiseInitializer?: InitializerSpec;
  readonly depthwiseRegularizer?: RegularizerSpec;
  readonly pointwiseRegularizer?: RegularizerSpec;
}

/** Depthwise convolution followed by a 1×1 convolution to `filters` channels. */
export class SeparableConv2D extends SpatialConvolution<SeparableConv2DArgs> {
  static override readonly argNames = optionNames<SeparableConv2DArgs>()(...DEPTHWISE_ARGS, 'filters', 'pointwiseInitializer', 'pointwiseRegularizer');

  pointwiseKernel: Tensor | null = null;

  protected outChannels(): number {
    return this.args.filters;
  }

  protected builtInChannels(): number | null {
    return this.kernel ? this.kernel.shape[2]! : null;
  }

  protected override build(s: SymbolicShape): void {
    const { channels, multiplier } = this.buildDepthwiseKernel(s, this.args);
    this.pointwiseKernel = parameter(initialize(this.args.pointwiseInitializer ?? 'glorotUniform', [1, 1, channels * multiplier, this.args.filters]));
    this.bias = makeBias(this.args, this.args.filters);
  }

  protected call(x: Tensor): Tensor {
    return biasAndActivation(this.args, separableConv2d(x, this.kernel!, this.pointwiseKernel!, this.convOptions()), this.bias);
  }

  override regularizationLosses(): Tensor[] {
    return weightPenalties([
      [this.args.depthwiseRegularizer, this.kernel],
      [this.args.pointwiseRegularizer, this.pointwiseKernel],
      [this.args.biasRegularizer, this.bias],
    ]);
  }
}

export interface Conv1DArgs extends KernelArgs {
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides?: number;
  readonly padding?: PaddingMode;
  readonly dilationRate?: number;
  readonly groups?: number;
}

/** 1-D convolution over NWC sequences, kernel [k, in/groups, filters]. */
export class Conv1D extends Layer<Conv1DArgs> {
  static override readonly argNames = optionNames<Conv1DArgs>()(...CONV_ARGS, 'groups');

  kernel: Tensor | null = null;
  bias: Tensor | null = null;

  computeOutputShape(s: SymbolicShape): SymbolicShape {
    requireRank(s, 3, 'NWC');
    const groups = this.args.groups ?? 1;
    if (this.kernel && s[2] !== null && s[2] !== this.kernel.shape[1]! * groups) throw new ShapeError(`built for ${this.kernel.shape[1]! * groups} input channels, got ${s[2]}`);
    if (s[2] !== null && (s[2]! % groups !== 0 || this.args.filters % groups !== 0)) {
      throw new ShapeError(`groups=${groups} must divide the input channels ${s[2]} and filters ${this.args.filters}`);
    }
    const width = convOutputLength(s[1]!, this.args.kernelSize, this.args.strides ?? 1, this.args.dilationRate ?? 1, this.args.padding ?? 'valid');
    return [s[0]!, width, this.args.filters];
  }

  protected override build(s: SymbolicShape): void {
    this.kernel = makeKernel(this.args, [this.args.kernelSize, knownSize(s, 2, 'channel') / (this.args.groups ?? 1), this.args.filters]);
    this.bias = makeBias(this.args, this.args.filters);
  }

  protected call(x: Tensor): Tensor {
    const y = conv1d(x, this.kernel!, {
      stride: this.args.strides ?? 1,
      padding: this.args.padding ?? 'valid',
      dilation: this.args.dilationRate ?? 1,
      groups: this.args.groups ?? 1,
    });
    return biasAndActivation(this.args, y, this.bias);
  }

  override regularizationLosses(): Tensor[] {
    return weightPenalties([[this.args.kernelRegularizer, this.kernel], [this.args.biasRegularizer, this.bias]]);
  }
}
