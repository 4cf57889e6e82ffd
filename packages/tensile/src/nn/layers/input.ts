import { ShapeError } from '../../errors.js';
import type { DType } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Layer, type LayerArgs } from '../layer.js';
import { formatSymbolicShape, type SymbolicShape, SymbolicTensor } from '../symbolic.js';
import { LAYER_ARGS } from '../layer.js';
import { optionNames } from '../../options.js';



export interface InputLayerArgs extends LayerArgs {
  /** Shape of one sample, without the batch axis; null for a size that may vary. */
  readonly shape: readonly (number | null)[];
  readonly dtype?: DType;
}

/** The entry of a functional model: passes its input through after checking its shape. */
export class InputLayer extends Layer<InputLayerArgs> {
  static override readonly argNames = optionNames<InputLayerArgs>()(...LAYER_ARGS, 'shape', 'dtype');

  readonly output: SymbolicTensor;

  constructor(args: InputLayerArgs) {
    super(args);
    this.output = new SymbolicTensor([null, ...args.shape], args.dtype ?? 'float32', { layer: this, inputs: [] });
  }

  computeOutputShape(s: SymbolicShape): SymbolicShape {
    const expected = this.output.shape;
    if (s.length !== expected.length || s.some((d, i) => d !== null && expected[i] !== null && d !== expected[i])) {
      throw new ShapeError(`expected ${formatSymbolicShape(expected)}, got ${formatSymbolicShape(s)}`);
    }
    return s;
  }

  protected call(x: Tensor): Tensor {
    return x;
  }

  override getConfig(): { name: string; shape: readonly (number | null)[]; dtype: DType } {
    return { name: this.name, shape: this.args.shape, dtype: this.args.dtype ?? 'float32' };
  }
}

/**
 * A symbolic input of the functional API: `const x = Input({ shape: [28, 28, 1] })`, then call
 * layers on it with `layer.apply(x)` and make a `Model({ inputs, outputs })`.
 */
export function Input(args: InputLayerArgs): SymbolicTensor {
  return new InputLayer(args).output;
}
