/** Layers applying a fixed function to each element: Activation and Rescaling. */
import { activation, type ActivationName } from '../../ops/activations.js';
import { add, mul } from '../../ops/arithmetic.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Layer, type LayerArgs } from '../layer.js';
import type { SymbolicShape } from '../symbolic.js';
import { LAYER_ARGS } from '../layer.js';
import { optionNames } from '../../options.js';



export interface ActivationArgs extends LayerArgs {
  readonly activation: ActivationName;
}

/** Any activation of the core by name: `new Activation({ activation: 'gelu' })`. */
export class Activation extends Layer<ActivationArgs> {
  static override readonly argNames = optionNames<ActivationArgs>()(...LAYER_ARGS, 'activation');

  private readonly fn: (x: Tensor) => Tensor;

  constructor(args: ActivationArgs) {
    super(args);
    this.fn = activation(args.activation);
  }

  computeOutputShape(s: SymbolicShape): SymbolicShape {
    return s;
  }

  protected call(x: Tensor): Tensor {
    return this.fn(x);
  }
}

export interface RescalingArgs extends LayerArgs {
  readonly scale: number;
  readonly offset?: number;
}

/** x·scale + offset, e.g. `new Rescaling({ scale: 1 / 255 })` for 8-bit images. */
export class Rescaling extends Layer<RescalingArgs> {
  static override readonly argNames = optionNames<RescalingArgs>()(...LAYER_ARGS, 'scale', 'offset');

  computeOutputShape(s: SymbolicShape): SymbolicShape {
    return s;
  }

  protected call(x: Tensor): Tensor {
    const scaled = mul(x.dtype === 'float32' || x.dtype === 'float64' ? x : x.cast('float32'), this.args.scale);
    return this.args.offset ? add(scaled, this.args.offset) : scaled;
  }
}
