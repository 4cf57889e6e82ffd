/** Layers that move values without learning: Flatten, Reshape, ZeroPadding2D, UpSampling2D. */
import { ShapeError, ValueError } from '../../errors.js';
import { broadcastTo } from '../../ops/broadcast.js';
import { flatten, reshape } from '../../ops/reshape.js';
import { pad } from '../../ops/slice.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Layer, type LayerArgs, requireRank } from '../layer.js';
import { formatSymbolicShape, type SymbolicShape } from '../symbolic.js';
import { pairOf } from './conv-geometry.js';
import { LAYER_ARGS } from '../layer.js';
import { optionNames } from '../../options.js';



function product(dims: readonly (number | null)[]): number | null {
  return dims.reduce<number | null>((p, d) => (p === null || d === null ? null : p * d), 1);
}

/** [N, ...] → [N, product of the rest]. */
export class Flatten extends Layer {
  static override readonly argNames = LAYER_ARGS;

  constructor(args: LayerArgs = {}) {
    super(args);
  }

  computeOutputShape(s: SymbolicShape): SymbolicShape {
    if (s.length < 1) throw new ShapeError('expected a batch axis');
    return [s[0]!, product(s.slice(1))];
  }

  protected call(x: Tensor): Tensor {
    return x.rank === 1 ? reshape(x, [x.shape[0]!, 1]) : flatten(x, 1);
  }
}

export interface ReshapeArgs extends LayerArgs {
  /** The shape of each sample (without the batch axis); one entry may be -1. */
  readonly targetShape: readonly number[];
}

/** Reshapes each sample: `new Reshape({ targetShape: [28, 28, 1] })`. */
export class Reshape extends Layer<ReshapeArgs> {
  static override readonly argNames = optionNames<ReshapeArgs>()(...LAYER_ARGS, 'targetShape');

  computeOutputShape(s: SymbolicShape): SymbolicShape {
    const target = this.args.targetShape;
    if (target.filter((d) => d === -1).length > 1) throw new ValueError(`targetShape ${JSON.stringify(target)} has more than one -1`);
    const size = product(s.slice(1));
    const known = target.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
    if (size === null) return [s[0]!, ...target.map((d) => (d === -1 ? null : d))];
    if (target.includes(-1) ? size % known !== 0 : size !== known) {
      throw new ShapeError(`cannot reshape ${formatSymbolicShape(s)} (${size} values per sample) into ${JSON.stringify(target)}`);
    }
    return [s[0]!, ...target.map((d) => (d === -1 ? size / known : d))];
  }

  protected call(x: Tensor): Tensor {
    return reshape(x, [x.shape[0]!, ...this.args.targetShape]);
  }
}

export interface ZeroPadding2DArgs extends LayerArgs {
  /** Symmetric amount, [height, width], or [[top, bottom], [left, right]] (default 1). */
  readonly padding?: number | readonly [number, number] | readonly [readonly [number, number], readonly [number, number]];
}

/** Pads height and width of NHWC inputs with zeros. */
export class ZeroPadding2D extends Layer<ZeroPadding2DArgs> {
  static override readonly argNames = optionNames<ZeroPadding2DArgs>()(...LAYER_ARGS, 'padding');

  /** The padding as [[top, bottom], [left, right]]. */
  get amounts(): [[number, number], [number, number]] {
    const p = this.args.padding ?? 1;
    if (typeof p === 'number') return [[p, p], [p, p]];
    if (typeof p[0] === 'number') {
      const [h, w] = p as readonly [number, number];
      return [[h, h], [w, w]];
    }
    const [[t, b], [l, r]] = p as readonly [readonly [number, number], readonly [number, number]];
    return [[t, b], [l, r]];
  }

  computeOutputShape(s: SymbolicShape): SymbolicShape {
    requireRank(s, 4, 'NHWC');
    const [[t, b], [l, r]] = this.amounts;
    return [s[0]!, s[1] === null ? null : s[1]! + t + b, s[2] === null ? null : s[2]! + l + r, s[3]!];
  }

  protected call(x: Tensor): Tensor {
    const [h, w] = this.amounts;
    return pad(x, [[0, 0], h, w, [0, 0]]);
  }
}

export interface UpSampling2DArgs extends LayerArgs {
  /** Repeat factor for rows and columns (default 2). */
  readonly size?: number | readonly [number, number];
}

/** Nearest-neighbour upsampling: each pixel repeated size×size times. */
export class UpSampling2D extends Layer<UpSampling2DArgs> {
  static override readonly argNames = optionNames<UpSampling2DArgs>()(...LAYER_ARGS, 'size');

  computeOutputShape(s: SymbolicShape): SymbolicShape {
    requireRank(s, 4, 'NHWC');
    const [sh, sw] = pairOf(this.args.size, 2);
    return [s[0]!, s[1] === null ? null : s[1]! * sh, s[2] === null ? null : s[2]! * sw, s[3]!];
  }

  protected call(x: Tensor): Tensor {
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const [sh, sw] = pairOf(this.args.size, 2);
    const repeated = broadcastTo(reshape(x, [n, h, 1, w, 1, c]), [n, h, sh, w, sw, c]);
    return reshape(repeated, [n, h * sh, w * sw, c]);
  }
}
