import { ShapeError } from '../../errors.js';
import { fusedMatmul } from '../../ops/fused.js';
import type { Tensor } from '../../tensor/tensor.js';
import { knownSize, Layer } from '../layer.js';
import type { SymbolicShape } from '../symbolic.js';
import { type KernelArgs, makeBias, makeKernel, weightPenalties } from './weights.js';
import { KERNEL_ARGS } from './weights.js';
import { optionNames } from '../../options.js';



export interface DenseArgs extends KernelArgs {
  readonly units: number;
}

/**
 * Fully connected layer: activation(x·kernel + bias), kernel [inFeatures, units], applied to the
 * last axis of inputs of any rank ≥ 2.
 *
 * ```ts
 * new Dense({ units: 10, activation: 'softmax' }).forward(zeros([32, 784])).shape; // [32, 10]
 * ```
 */
export class Dense extends Layer<DenseArgs> {
  static override readonly argNames = optionNames<DenseArgs>()(...KERNEL_ARGS, 'units');

  kernel: Tensor | null = null;
  bias: Tensor | null = null;

  computeOutputShape(inputShape: SymbolicShape): SymbolicShape {
    if (inputShape.length < 2) throw new ShapeError('expected at least [batch, features]');
    const features = inputShape[inputShape.length - 1];
    if (this.kernel && features !== null && features !== this.kernel.shape[0]) {
      throw new ShapeError(`built for ${this.kernel.shape[0]} input features, got ${features}`);
    }
    return [...inputShape.slice(0, -1), this.args.units];
  }

  protected override build(inputShape: SymbolicShape): void {
    this.kernel = makeKernel(this.args, [knownSize(inputShape, -1, 'feature'), this.args.units]);
    this.bias = makeBias(this.args, this.args.units);
  }

  protected call(x: Tensor): Tensor {
    return fusedMatmul(x, this.kernel!, { bias: this.bias, activation: this.args.activation });
  }

  override regularizationLosses(): Tensor[] {
    return weightPenalties([[this.args.kernelRegularizer, this.kernel], [this.args.biasRegularizer, this.bias]]);
  }
}

/**
 * PyTorch-style constructor for a Dense layer that is built at once: `new Linear(784, 128)`.
 * The kernel keeps Keras' layout [inFeatures, outFeatures].
 */
export class Linear extends Dense {
  static override readonly argNames = Dense.argNames;

  constructor(inFeatures: number, outFeatures: number, options: Omit<DenseArgs, 'units' | 'inputShape'> = {}) {
    super({ ...options, units: outFeatures, inputShape: [inFeatures] });
    this.ensureBuilt([null, inFeatures]);
  }
}
