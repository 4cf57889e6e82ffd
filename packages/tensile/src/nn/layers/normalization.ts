/** Batch and layer normalisation over the last (channel) axis. */
import { noGrad } from '../../autograd/graph.js';
import { add, mul } from '../../ops/arithmetic.js';
import { batchNorm, l2Normalize, layerNorm } from '../../ops/normalization.js';
import { mean, variance } from '../../ops/reduce.js';
import type { Tensor } from '../../tensor/tensor.js';
import { ShapeError } from '../../errors.js';
import { initialize, type InitializerSpec } from '../initializers.js';
import { knownSize, Layer, type LayerArgs } from '../layer.js';
import { buffer, parameter } from '../module.js';
import type { SymbolicShape } from '../symbolic.js';
import { LAYER_ARGS } from '../layer.js';
import { optionNames } from '../../options.js';

const NORMALIZATION_ARGS = [...LAYER_ARGS, 'epsilon', 'center', 'scale', 'betaInitializer', 'gammaInitializer'] as const;

export interface NormalizationArgs extends LayerArgs {
  readonly epsilon?: number;
  /** Learn an offset β (default true). */
  readonly center?: boolean;
  /** Learn a scale γ (default true). */
  readonly scale?: boolean;
  readonly betaInitializer?: InitializerSpec;
  readonly gammaInitializer?: InitializerSpec;
}

abstract class ChannelNormalization<Args extends NormalizationArgs> extends Layer<Args> {
  gamma: Tensor | null = null;
  beta: Tensor | null = null;

  computeOutputShape(s: SymbolicShape): SymbolicShape {
    if (s.length < 2) throw new ShapeError('expected at least [batch, channels]');
    const channels = s[s.length - 1];
    const built = this.gamma?.shape[0] ?? this.beta?.shape[0];
    if (built !== undefined && channels !== null && channels !== built) throw new ShapeError(`built for ${built} channels, got ${channels}`);
    return s;
  }

  protected override build(s: SymbolicShape): void {
    const channels = knownSize(s, -1, 'channel');
    if (this.args.scale ?? true) this.gamma = parameter(initialize(this.args.gammaInitializer ?? 'ones', [channels]));
    if (this.args.center ?? true) this.beta = parameter(initialize(this.args.betaInitializer ?? 'zeros', [channels]));
  }
}

export interface BatchNormalizationArgs extends NormalizationArgs {
  /** Weight of the old value in the moving averages (default 0.99, as in Keras). */
  readonly momentum?: number;
}

/**
 * Normalises each channel with the batch's statistics in training and with moving averages in
 * inference. Works for [N, C] (1-D), [N, L, C] and [N, H, W, C] (2-D) inputs.
 */
export class BatchNormalization extends ChannelNormalization<BatchNormalizationArgs> {
  static override readonly argNames = optionNames<BatchNormalizationArgs>()(...NORMALIZATION_ARGS, 'momentum');

  constructor(args: BatchNormalizationArgs = {}) {
    super(args);
  }

  movingMean: Tensor | null = null;
  movingVariance: Tensor | null = null;

  protected override build(s: SymbolicShape): void {
    super.build(s);
    const channels = knownSize(s, -1, 'channel');
    this.movingMean = buffer(initialize('zeros', [channels]));
    this.movingVariance = buffer(initialize('ones', [channels]));
  }

  protected call(x: Tensor): Tensor {
    const options = { epsilon: this.args.epsilon ?? 1e-3, ...(this.gamma && { scale: this.gamma }), ...(this.beta && { offset: this.beta }) };
    if (!this.training) return batchNorm(x, this.movingMean!, this.movingVariance!, options);
    const axes = [...x.shape.keys()].slice(0, -1);
    const batchMean = mean(x, axes);
    const batchVariance = variance(x, axes);
    const momentum = this.args.momentum ?? 0.99;
    noGrad(() => {
      this.movingMean!.assign(add(mul(this.movingMean!, momentum), mul(batchMean, 1 - momentum)));
      this.movingVariance!.assign(add(mul(this.movingVariance!, momentum), mul(batchVariance, 1 - momentum)));
    });
    return batchNorm(x, batchMean, batchVariance, options);
  }
}

/** Normalises each sample over its last axis, then scales and shifts per feature. */
export class LayerNormalization extends ChannelNormalization<NormalizationArgs> {
  static override readonly argNames = optionNames<NormalizationArgs>()(...NORMALIZATION_ARGS);

  constructor(args: NormalizationArgs = {}) {
    super(args);
  }

  protected call(x: Tensor): Tensor {
    return layerNorm(x, { epsilon: this.args.epsilon ?? 1e-3, ...(this.gamma && { gamma: this.gamma }), ...(this.beta && { beta: this.beta }) });
  }
}

export interface UnitNormalizationArgs extends LayerArgs {
  /** Floor of the norm, so an all-zero row stays zero (default 1e-12, as l2Normalize). */
  readonly epsilon?: number;
}

/**
 * Each sample's last axis scaled to unit Euclidean length (Keras' UnitNormalization): x / max(‖x‖₂, ε),
 * the l2Normalize that ends a face embedder, as a layer so that exported graphs carry it.
 */
export class UnitNormalization extends Layer<UnitNormalizationArgs> {
  static override readonly argNames = optionNames<UnitNormalizationArgs>()(...LAYER_ARGS, 'epsilon');

  constructor(args: UnitNormalizationArgs = {}) {
    super(args);
  }

  get epsilon(): number {
    return this.args.epsilon ?? 1e-12;
  }

  computeOutputShape(s: SymbolicShape): SymbolicShape {
    return s;
  }

  protected call(x: Tensor): Tensor {
    return l2Normalize(x, { epsilon: this.epsilon });
  }
}
