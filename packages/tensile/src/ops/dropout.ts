/** Inverted dropout, seeded through the global generator (or an explicit one). */
import { ValueError } from '../errors.js';
import type { Generator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { div, mul } from './arithmetic.js';
import { cast } from './cast.js';
import { lt } from './compare.js';
import { rand } from './creation.js';
import { defineOp } from './registry.js';

export interface DropoutOptions {
  /** When false (inference), the input passes through unchanged. Default true. */
  training?: boolean;
  generator?: Generator;
  /** Shape of the mask, broadcast against x (e.g. [N,1,1,C] for spatial dropout). */
  noiseShape?: readonly number[];
}

/** Zeroes each element with probability `rate` and scales the survivors by 1/(1 − rate). */
export const dropout = defineOp('dropout', 'differentiable', (x: Tensor, rate: number, options: DropoutOptions = {}): Tensor => {
  if (!(rate >= 0 && rate < 1)) throw new ValueError(`dropout: rate must be in [0, 1), got ${rate}`);
  if (options.training === false || rate === 0) return x;
  const keep = cast(lt(rand(options.noiseShape ?? x.shape, { backend: x.backend.name, generator: options.generator, dtype: x.dtype }), 1 - rate), x.dtype);
  return div(mul(x, keep), 1 - rate);
});
