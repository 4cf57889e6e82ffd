/**
 * Photometric image augmentation for NHWC batches, as Keras' RandomBrightness and RandomContrast:
 * one random change per image, in training only, the result clipped to the pixels' value range
 * (Keras' default [0, 255]; pass [0, 1] for scaled pixels). Geometric ones are in augmentation.ts;
 * random erasing shares the value range.
 */
import { add, clamp, mul, sub } from '../../ops/arithmetic.js';
import { tensor } from '../../ops/creation.js';
import { mean } from '../../ops/reduce.js';
import { ValueError } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { ImageAugmentation, rangeOf, type FactorRange, type RandomImageArgs } from './augmentation.js';
import { LAYER_ARGS } from '../layer.js';
import { optionNames } from '../../options.js';

export const VALUE_RANGE_ARGS = [...LAYER_ARGS, 'seed', 'valueRange'] as const;

export interface ValueRangeArgs extends RandomImageArgs {
  /** The range pixels take (default [0, 255]): brightness and contrast clip to it, erasing draws its noise from it. */
  readonly valueRange?: readonly [number, number];
}

/** An augmentation of pixel values that knows their range. */
export abstract class ValueRangeAugmentation<Args extends ValueRangeArgs> extends ImageAugmentation<Args> {
  protected readonly valueRange: readonly [number, number];

  constructor(args: Args) {
    super(args);
    this.valueRange = args.valueRange ?? [0, 255];
    const [low, high] = this.valueRange;
    if (!(Number.isFinite(low) && Number.isFinite(high) && low < high)) throw new ValueError(`${this.constructor.name}: valueRange must be [low, high] with low < high, got ${JSON.stringify(args.valueRange)}`);
  }

  /** One draw from `range` per image, shaped [n, 1, 1, 1] to broadcast over it. */
  protected perImage(n: number, range: [number, number], dtype: Tensor['dtype']): Tensor {
    const values = Float32Array.from({ length: n }, () => this.uniform(range));
    return tensor(values, [n, 1, 1, 1], { dtype });
  }

  protected clip(x: Tensor): Tensor {
    return clamp(x, this.valueRange[0], this.valueRange[1]);
  }
}

export interface RandomBrightnessArgs extends ValueRangeArgs {
  /** Shift as a fraction of the value range, drawn from [-factor, factor] (or the given range), within [-1, 1]. */
  readonly factor: FactorRange;
}

/** Adds one random offset to all pixels of each image. */
export class RandomBrightness extends ValueRangeAugmentation<RandomBrightnessArgs> {
  static override readonly argNames = optionNames<RandomBrightnessArgs>()(...VALUE_RANGE_ARGS, 'factor');

  private readonly range: [number, number];

  constructor(args: RandomBrightnessArgs) {
    super(args);
    this.range = rangeOf(args.factor, 'RandomBrightness');
    if (this.range[0] < -1 || this.range[1] > 1) throw new ValueError(`RandomBrightness: factor must lie within [-1, 1], got ${JSON.stringify(args.factor)}`);
  }

  protected call(x: Tensor): Tensor {
    if (!this.training) return x;
    const [low, high] = this.valueRange;
    return this.clip(add(x, mul(this.perImage(x.shape[0]!, this.range, x.dtype), high - low)));
  }
}

export interface RandomContrastArgs extends ValueRangeArgs {
  /** The contrast factor is drawn from [1 − factor, 1 + factor] (or [1 − lower, 1 + upper] for a pair); factor in [0, 1]. */
  readonly factor: number | readonly [number, number];
}

/** Scales each image's pixels about their channel means by one random factor. */
export class RandomContrast extends ValueRangeAugmentation<RandomContrastArgs> {
  static override readonly argNames = optionNames<RandomContrastArgs>()(...VALUE_RANGE_ARGS, 'factor');

  private readonly range: [number, number];

  constructor(args: RandomContrastArgs) {
    super(args);
    const [lower, upper] = typeof args.factor === 'number' ? [args.factor, args.factor] : args.factor;
    if (!(lower >= 0 && lower <= 1 && upper >= 0 && Number.isFinite(upper))) throw new ValueError(`RandomContrast: factor must be in [0, 1] (upper bound ≥ 0), got ${JSON.stringify(args.factor)}`);
    this.range = [1 - lower, 1 + upper];
  }

  protected call(x: Tensor): Tensor {
    if (!this.training) return x;
    const channelMeans = mean(x, [1, 2], true);
    return this.clip(add(mul(sub(x, channelMeans), this.perImage(x.shape[0]!, this.range, x.dtype)), channelMeans));
  }
}
