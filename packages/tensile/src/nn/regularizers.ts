/**
 * Weight penalties added to the training loss: `{l1: 1e-4}`, `{l2: 1e-4}` or both, or the names
 * 'l1' / 'l2' (factor 0.01, as in Keras).
 */
import { ValueError } from '../errors.js';
import { abs, square } from '../ops/unary.js';
import { add, mul } from '../ops/arithmetic.js';
import { sum } from '../ops/reduce.js';
import type { Tensor } from '../tensor/tensor.js';

export type RegularizerSpec = 'l1' | 'l2' | { readonly l1?: number; readonly l2?: number };

/** l1·Σ|w| + l2·Σw² for one weight tensor. */
export function regularizationPenalty(spec: RegularizerSpec, weight: Tensor): Tensor {
  const { l1 = 0, l2 = 0 } = spec === 'l1' ? { l1: 0.01 } : spec === 'l2' ? { l2: 0.01 } : spec;
  if (!(l1 >= 0 && l2 >= 0)) throw new ValueError(`regularizer: l1 and l2 must be non-negative, got l1=${l1}, l2=${l2}`);
  const terms: Tensor[] = [];
  if (l1 > 0) terms.push(mul(sum(abs(weight)), l1));
  if (l2 > 0) terms.push(mul(sum(square(weight)), l2));
  return terms.reduce((a, b) => add(a, b), mul(sum(weight), 0));
}
