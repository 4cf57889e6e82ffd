/** Pooling layers, channels-last. */
import { avgPool2d, globalAvgPool2d, globalMaxPool2d, maxPool2d } from '../../ops/pool.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Layer, type LayerArgs, requireRank } from '../layer.js';
import type { SymbolicShape } from '../symbolic.js';
import { convOutputLength, pairOf, type PaddingMode } from './conv-geometry.js';
import { LAYER_ARGS } from '../layer.js';
import { optionNames } from '../../options.js';



export interface Pool2DArgs extends LayerArgs {
  /** Window (default 2). */
  readonly poolSize?: number | readonly [number, number];
  /** Step (default: the window). */
  readonly strides?: number | readonly [number, number];
  readonly padding?: PaddingMode;
}

abstract class Pool2D extends Layer<Pool2DArgs> {
  constructor(args: Pool2DArgs = {}) {
    super(args);
  }

  protected abstract readonly pool: typeof maxPool2d;

  computeOutputShape(s: SymbolicShape): SymbolicShape {
    requireRank(s, 4, 'NHWC');
    const window = pairOf(this.args.poolSize, 2);
    const strides = pairOf(this.args.strides, 0).map((v, i) => v || window[i]!);
    const padding = this.args.padding ?? 'valid';
    return [s[0]!, convOutputLength(s[1]!, window[0], strides[0]!, 1, padding), convOutputLength(s[2]!, window[1], strides[1]!, 1, padding), s[3]!];
  }

  protected call(x: Tensor): Tensor {
    return this.pool(x, { poolSize: this.args.poolSize ?? 2, strides: this.args.strides ?? this.args.poolSize ?? 2, padding: this.args.padding ?? 'valid' });
  }
}

/** Maximum over each window: `new MaxPool2D({ poolSize: 2 })` halves height and width. */
export class MaxPool2D extends Pool2D {
  static override readonly argNames = optionNames<Pool2DArgs>()(...LAYER_ARGS, 'poolSize', 'strides', 'padding');

  protected readonly pool = maxPool2d;
}

/** Mean over each window (padded cells are not counted). */
export class AvgPool2D extends Pool2D {
  static override readonly argNames = MaxPool2D.argNames;

  protected readonly pool = avgPool2d;
}

export interface GlobalPool2DArgs extends LayerArgs {
  /** Keep height and width as size-1 axes: [N, 1, 1, C] instead of [N, C]. */
  readonly keepDims?: boolean;
}

abstract class GlobalPool2D extends Layer<GlobalPool2DArgs> {
  constructor(args: GlobalPool2DArgs = {}) {
    super(args);
  }

  protected abstract readonly pool: typeof globalAvgPool2d;

  computeOutputShape(s: SymbolicShape): SymbolicShape {
    requireRank(s, 4, 'NHWC');
    return this.args.keepDims ? [s[0]!, 1, 1, s[3]!] : [s[0]!, s[3]!];
  }

  protected call(x: Tensor): Tensor {
    return this.pool(x, this.args.keepDims ?? false);
  }
}

/** Mean over height and width: [N, H, W, C] → [N, C]. */
export class GlobalAveragePooling2D extends GlobalPool2D {
  static override readonly argNames = optionNames<GlobalPool2DArgs>()(...LAYER_ARGS, 'keepDims');

  protected readonly pool = globalAvgPool2d;
}

/** Maximum over height and width: [N, H, W, C] → [N, C]. */
export class GlobalMaxPooling2D extends GlobalPool2D {
  static override readonly argNames = GlobalAveragePooling2D.argNames;

  protected readonly pool = globalMaxPool2d;
}
