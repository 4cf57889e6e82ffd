/** What layers with a kernel and a bias share: creation from initialisers, bias + activation, penalties. */
import { activation as activationFn, type ActivationName } from '../../ops/activations.js';
import { add } from '../../ops/arithmetic.js';
import type { Tensor } from '../../tensor/tensor.js';
import { initialize, type InitializerSpec } from '../initializers.js';
import type { LayerArgs } from '../layer.js';
import { parameter } from '../module.js';
import { regularizationPenalty, type RegularizerSpec } from '../regularizers.js';
import { LAYER_ARGS } from '../layer.js';

export const KERNEL_ARGS = [...LAYER_ARGS, 'activation', 'useBias', 'kernelInitializer', 'biasInitializer', 'kernelRegularizer', 'biasRegularizer'] as const;

export interface KernelArgs extends LayerArgs {
  /** Applied to the output (default 'linear', i.e. none). */
  readonly activation?: ActivationName;
  readonly useBias?: boolean;
  readonly kernelInitializer?: InitializerSpec;
  readonly biasInitializer?: InitializerSpec;
  readonly kernelRegularizer?: RegularizerSpec;
  readonly biasRegularizer?: RegularizerSpec;
}

export function makeKernel(args: KernelArgs, shape: readonly number[]): Tensor {
  return parameter(initialize(args.kernelInitializer ?? 'glorotUniform', shape));
}

export function makeBias(args: KernelArgs, size: number): Tensor | null {
  return args.useBias ?? true ? parameter(initialize(args.biasInitializer ?? 'zeros', [size])) : null;
}

/** activation(y + bias). */
export function biasAndActivation(args: KernelArgs, y: Tensor, bias: Tensor | null): Tensor {
  const biased = bias ? add(y, bias) : y;
  return args.activation === undefined || args.activation === 'linear' ? biased : activationFn(args.activation)(biased);
}

/** Penalties for the weights that have a regulariser. */
export function weightPenalties(pairs: readonly (readonly [RegularizerSpec | undefined, Tensor | null])[]): Tensor[] {
  return pairs.flatMap(([spec, w]) => (spec && w ? [regularizationPenalty(spec, w)] : []));
}
