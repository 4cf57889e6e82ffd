/** Running sums and cyclic shifts, composed from slices so they carry gradients without kernels of their own. */
import { ValueError } from '../errors.js';
import { normAxis } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { add } from './arithmetic.js';
import { concat } from './concat.js';
import { defineOp } from './registry.js';
import { narrow, pad } from './slice.js';

/**
 * Inclusive cumulative sum along `axis`, as a Hillis–Steele scan: log₂(n) shifted adds, so the
 * gradient (a reversed cumulative sum) comes for free.
 */
export const cumsum = defineOp('cumsum', 'differentiable', (x: Tensor, axis = 0): Tensor => {
  const a = normAxis(axis, x.rank, 'cumsum');
  const n = x.shape[a]!;
  let y = x;
  for (let shift = 1; shift < n; shift *= 2) {
    const paddings = x.shape.map((_, i) => (i === a ? ([shift, 0] as const) : ([0, 0] as const)));
    y = add(y, pad(narrow(y, a, 0, n - shift), paddings));
  }
  return y;
});

/** Rotates elements along `axis` by `shift` positions (elements leaving one end re-enter at the other). */
export const roll = defineOp('roll', 'differentiable', (x: Tensor, shift: number, axis = 0): Tensor => {
  if (!Number.isInteger(shift)) throw new ValueError(`roll: shift must be an integer, got ${shift}`);
  const a = normAxis(axis, x.rank, 'roll');
  const n = x.shape[a]!;
  const s = ((shift % n) + n) % n;
  if (s === 0) return x;
  return concat([narrow(x, a, n - s, s), narrow(x, a, 0, n - s)], a);
});
