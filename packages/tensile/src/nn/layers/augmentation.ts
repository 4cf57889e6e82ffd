/**
 * Geometric image augmentation layers for NHWC batches, active only in training (identity in inference).
 * Each draws one affine map per sample and resamples with bilinear interpolation; pixels that map
 * outside the image are filled as `fillMode` says (zeros by default). The maps are random, not learned, so they are computed on
 * the host; gradients still flow to the input through the gathers. The base class, shared with
 * the colour augmentations and random erasing, holds the random stream.
 */
import { add, mul } from '../../ops/arithmetic.js';
import { concat } from '../../ops/concat.js';
import { tensor, zeros } from '../../ops/creation.js';
import { gather } from '../../ops/gather.js';
import { reshape } from '../../ops/reshape.js';
import { ValueError } from '../../errors.js';
import { Generator, globalGenerator } from '../../tensor/random.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Layer, type LayerArgs, requireRank } from '../layer.js';
import type { SymbolicShape } from '../symbolic.js';
import { LAYER_ARGS } from '../layer.js';
import { optionNames } from '../../options.js';

const AUGMENTATION_ARGS = [...LAYER_ARGS, 'seed', 'fillMode'] as const;

/** Maps an output pixel offset from the centre (dy, dx) to the source offset, written to `source` (no allocation per pixel). */
type SourceMap = (dy: number, dx: number, source: Float64Array) => void;

/**
 * What a pixel mapped outside the image takes (as Keras' fill_mode): 'constant' zeros; 'reflect'
 * mirrors about the edge (d c b a | a b c d | d c b a); 'nearest' repeats the edge pixel
 * (a a a a | a b c d | d d d d); 'wrap' tiles the image (a b c d | a b c d | a b c d).
 */
export type FillMode = 'constant' | 'reflect' | 'nearest' | 'wrap';

export const FILL_MODES: readonly FillMode[] = ['constant', 'reflect', 'nearest', 'wrap'];

export interface RandomImageArgs extends LayerArgs {
  /** An independent random stream; the global generator (`manualSeed`) when omitted. */
  readonly seed?: number;
}

export interface AugmentationArgs extends RandomImageArgs {
  /** How pixels mapped outside the image are filled (default 'constant': zeros). */
  readonly fillMode?: FillMode;
}

/** The row or column `v` of a side of `size` pixels stands for, or -1 for the constant fill. */
function sourceIndex(v: number, size: number, mode: FillMode): number {
  if (v >= 0 && v < size) return v;
  switch (mode) {
    case 'constant':
      return -1;
    case 'nearest':
      return v < 0 ? 0 : size - 1;
    case 'wrap':
      return ((v % size) + size) % size;
    case 'reflect': {
      const m = ((v % (2 * size)) + 2 * size) % (2 * size);
      return m < size ? m : 2 * size - 1 - m;
    }
  }
}

/** A factor `f` (range [-f, f]) or an explicit [low, high] range. */
export type FactorRange = number | readonly [number, number];

export function rangeOf(factor: FactorRange, what: string): [number, number] {
  const [low, high] = typeof factor === 'number' ? [-Math.abs(factor), Math.abs(factor)] : factor;
  if (!(low <= high) || !Number.isFinite(low) || !Number.isFinite(high)) throw new ValueError(`${what}: invalid factor ${JSON.stringify(factor)}`);
  return [low, high];
}

/** An NHWC layer that draws its changes per sample, in training only, from its own or the global stream. */
export abstract class ImageAugmentation<Args extends RandomImageArgs> extends Layer<Args> {
  protected readonly generator: Generator;

  constructor(args: Args) {
    super(args);
    this.generator = args.seed === undefined ? globalGenerator : new Generator(args.seed);
  }

  computeOutputShape(s: SymbolicShape): SymbolicShape {
    requireRank(s, 4, 'NHWC');
    return s;
  }

  /** A uniform draw from [low, high] off this layer's stream. */
  protected uniform([low, high]: readonly [number, number]): number {
    return low + (high - low) * this.generator.random();
  }
}

abstract class AffineAugmentation<Args extends AugmentationArgs> extends ImageAugmentation<Args> {
  constructor(args: Args) {
    super(args);
    if (args.fillMode !== undefined && !FILL_MODES.includes(args.fillMode)) {
      throw new ValueError(`${this.constructor.name}: fillMode must be one of ${FILL_MODES.join(', ')}, got ${JSON.stringify(args.fillMode)}`);
    }
  }

  /** The map for one sample of an image of height × width. */
  protected abstract drawMap(height: number, width: number): SourceMap;

  protected call(x: Tensor): Tensor {
    if (!this.training) return x;
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const fillMode = this.args.fillMode ?? 'constant';
    const pixels = n * h * w;
    // Row `pixels` of the padded table is the zero fill for out-of-image corners.
    const table = concat([reshape(x, [pixels, c]), zeros([1, c], { dtype: x.dtype })], 0);
    const corners = [0, 1, 2, 3].map(() => ({ index: new Int32Array(pixels), weight: new Float32Array(pixels) }));
    const cy = (h - 1) / 2;
    const cx = (w - 1) / 2;
    const source = new Float64Array(2);
    const setCorner = (k: number, p: number, image: number, sourceRow: number, sourceColumn: number, weight: number): void => {
      const row = sourceIndex(sourceRow, h, fillMode);
      const column = sourceIndex(sourceColumn, w, fillMode);
      const inside = row >= 0 && column >= 0;
      corners[k]!.index[p] = inside ? (image * h + row) * w + column : pixels;
      corners[k]!.weight[p] = inside ? weight : 0;
    };
    for (let b = 0; b < n; b++) {
      const map = this.drawMap(h, w);
      for (let y = 0; y < h; y++) {
        for (let xx = 0; xx < w; xx++) {
          map(y - cy, xx - cx, source);
          const sy = source[0]! + cy;
          const sx = source[1]! + cx;
          const y0 = Math.floor(sy);
          const x0 = Math.floor(sx);
          const fy = sy - y0;
          const fx = sx - x0;
          const p = (b * h + y) * w + xx;
          setCorner(0, p, b, y0, x0, (1 - fy) * (1 - fx));
          setCorner(1, p, b, y0, x0 + 1, (1 - fy) * fx);
          setCorner(2, p, b, y0 + 1, x0, fy * (1 - fx));
          setCorner(3, p, b, y0 + 1, x0 + 1, fy * fx);
        }
      }
    }
    const sampled = corners
      .map(({ index, weight }) => mul(gather(table, tensor(index, [pixels]), 0), tensor(weight, [pixels, 1], { dtype: x.dtype })))
      .reduce((a, b) => add(a, b));
    return reshape(sampled, [n, h, w, c]);
  }
}

export interface RandomFlipArgs extends AugmentationArgs {
  /** Which flips may happen, each with probability 1/2 (default 'horizontalAndVertical'). */
  readonly mode?: 'horizontal' | 'vertical' | 'horizontalAndVertical';
}

/** Flips each image left-right and/or up-down with probability 1/2. */
export class RandomFlip extends AffineAugmentation<RandomFlipArgs> {
  static override readonly argNames = optionNames<RandomFlipArgs>()(...AUGMENTATION_ARGS, 'mode');

  constructor(args: RandomFlipArgs = {}) {
    super(args);
  }

  protected drawMap(): SourceMap {
    const mode = this.args.mode ?? 'horizontalAndVertical';
    const flipX = mode !== 'vertical' && this.generator.random() < 0.5 ? -1 : 1;
    const flipY = mode !== 'horizontal' && this.generator.random() < 0.5 ? -1 : 1;
    return (dy, dx, source) => {
      source[0] = dy * flipY;
      source[1] = dx * flipX;
    };
  }
}

export interface RandomRotationArgs extends AugmentationArgs {
  /** Fraction of a full turn: angles are drawn from [-factor·2π, factor·2π] (or the given range). */
  readonly factor: FactorRange;
}

/** Rotates each image by a random angle around its centre. */
export class RandomRotation extends AffineAugmentation<RandomRotationArgs> {
  static override readonly argNames = optionNames<RandomRotationArgs>()(...AUGMENTATION_ARGS, 'factor');

  protected drawMap(): SourceMap {
    const angle = this.uniform(rangeOf(this.args.factor, 'RandomRotation')) * 2 * Math.PI;
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    return (dy, dx, source) => {
      source[0] = cos * dy - sin * dx;
      source[1] = sin * dy + cos * dx;
    };
  }
}

export interface RandomZoomArgs extends AugmentationArgs {
  /** Zoom drawn from [1 + low, 1 + high]; positive values zoom out (as in Keras). */
  readonly heightFactor: FactorRange;
  /** Defaults to the height's draw, which keeps the aspect ratio. */
  readonly widthFactor?: FactorRange;
}

/** Zooms each image in or out around its centre. */
export class RandomZoom extends AffineAugmentation<RandomZoomArgs> {
  static override readonly argNames = optionNames<RandomZoomArgs>()(...AUGMENTATION_ARGS, 'heightFactor', 'widthFactor');

  protected drawMap(): SourceMap {
    const zy = 1 + this.uniform(rangeOf(this.args.heightFactor, 'RandomZoom'));
    const zx = this.args.widthFactor === undefined ? zy : 1 + this.uniform(rangeOf(this.args.widthFactor, 'RandomZoom'));
    return (dy, dx, source) => {
      source[0] = dy * zy;
      source[1] = dx * zx;
    };
  }
}

export interface RandomTranslationArgs extends AugmentationArgs {
  /** Vertical shift as a fraction of the height. */
  readonly heightFactor: FactorRange;
  /** Horizontal shift as a fraction of the width. */
  readonly widthFactor: FactorRange;
}

/** Shifts each image by a random fraction of its size. */
export class RandomTranslation extends AffineAugmentation<RandomTranslationArgs> {
  static override readonly argNames = optionNames<RandomTranslationArgs>()(...AUGMENTATION_ARGS, 'heightFactor', 'widthFactor');

  protected drawMap(height: number, width: number): SourceMap {
    const ty = this.uniform(rangeOf(this.args.heightFactor, 'RandomTranslation')) * height;
    const tx = this.uniform(rangeOf(this.args.widthFactor, 'RandomTranslation')) * width;
    return (dy, dx, source) => {
      source[0] = dy - ty;
      source[1] = dx - tx;
    };
  }
}

export interface RandomAffineArgs extends AugmentationArgs {
  /** Flip left-right with probability 1/2 (default false). */
  readonly horizontalFlip?: boolean;
  /** Rotation as a fraction of a full turn, as RandomRotation's factor (default none). */
  readonly rotation?: FactorRange;
  /** Zoom as RandomZoom's heightFactor, same for both axes (default none). */
  readonly zoom?: FactorRange;
  /** Shift as a fraction of the side, as RandomTranslation's factors, for both axes (default none). */
  readonly translation?: FactorRange;
}

/**
 * RandomFlip('horizontal') → RandomRotation → RandomZoom → RandomTranslation drawn per sample and
 * applied as one map, so each image is resampled once: a chain of those layers interpolates (and
 * so blurs) it once per layer, which on small images leaves training inputs visibly softer than
 * the untouched inference inputs.
 */
export class RandomAffine extends AffineAugmentation<RandomAffineArgs> {
  static override readonly argNames = optionNames<RandomAffineArgs>()(...AUGMENTATION_ARGS, 'horizontalFlip', 'rotation', 'zoom', 'translation');

  constructor(args: RandomAffineArgs = {}) {
    super(args);
  }

  protected drawMap(height: number, width: number): SourceMap {
    const { horizontalFlip = false, rotation = 0, zoom = 0, translation = 0 } = this.args;
    const flipX = horizontalFlip && this.generator.random() < 0.5 ? -1 : 1;
    const angle = this.uniform(rangeOf(rotation, 'RandomAffine rotation')) * 2 * Math.PI;
    const scale = 1 + this.uniform(rangeOf(zoom, 'RandomAffine zoom'));
    const shift = rangeOf(translation, 'RandomAffine translation');
    const ty = this.uniform(shift) * height;
    const tx = this.uniform(shift) * width;
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    // Output offset → undo the shift → undo the zoom → undo the rotation → undo the flip.
    return (dy, dx, source) => {
      const zy = (dy - ty) * scale;
      const zx = (dx - tx) * scale;
      source[0] = cos * zy - sin * zx;
      source[1] = (sin * zy + cos * zx) * flipX;
    };
  }
}
