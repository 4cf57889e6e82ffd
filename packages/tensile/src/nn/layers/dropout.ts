/** Dropout layers: active only in training mode. */
import { ShapeError, ValueError } from '../../errors.js';
import { dropout } from '../../ops/dropout.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Layer, type LayerArgs } from '../layer.js';
import type { SymbolicShape } from '../symbolic.js';
import { LAYER_ARGS } from '../layer.js';
import { optionNames } from '../../options.js';



export interface DropoutArgs extends LayerArgs {
  /** Fraction of elements zeroed, in [0, 1). */
  readonly rate: number;
}

/** Zeroes elements with probability `rate` in training (survivors scaled by 1/(1 − rate)). */
export class Dropout extends Layer<DropoutArgs> {
  static override readonly argNames = optionNames<DropoutArgs>()(...LAYER_ARGS, 'rate');

  constructor(args: DropoutArgs) {
    if (!(args.rate >= 0 && args.rate < 1)) throw new ValueError(`Dropout: rate must be in [0, 1), got ${args.rate}`);
    super(args);
  }

  computeOutputShape(s: SymbolicShape): SymbolicShape {
    return s;
  }

  /** The shape of the random mask (broadcast over the input). */
  protected noiseShape(x: Tensor): readonly number[] {
    return x.shape;
  }

  protected call(x: Tensor): Tensor {
    return dropout(x, this.args.rate, { training: this.training, noiseShape: this.noiseShape(x) });
  }
}

/** Drops whole channels of NWC / NHWC feature maps (one mask value per sample and channel). */
export class SpatialDropout extends Dropout {
  static override readonly argNames = Dropout.argNames;

  override computeOutputShape(s: SymbolicShape): SymbolicShape {
    if (s.length < 3) throw new ShapeError('expected a channels-last feature map of rank ≥ 3');
    return s;
  }

  protected override noiseShape(x: Tensor): readonly number[] {
    return x.shape.map((d, i) => (i === 0 || i === x.rank - 1 ? d : 1));
  }
}
