/** The k largest (or smallest) entries along the last axis. */
import { ShapeError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { backendOf, requireTensor } from './dispatch.js';
import { wrap } from '../tensor/wrap.js';
import { takeAlongAxis } from './gather.js';
import { defineOp } from './registry.js';

/** Sorted values and their int32 indices; the gradient flows to the selected entries. */
export const topk = defineOp('topk', 'differentiable', (x: Tensor, k: number, options: { largest?: boolean } = {}): { values: Tensor; indices: Tensor } => {
  requireTensor('topk', x);
  const n = x.rank === 0 ? 1 : x.shape[x.rank - 1]!;
  if (!Number.isInteger(k) || k < 0 || k > n) throw new ShapeError(`topk: k=${k} must be in [0, ${n}] for the last axis of [${x.shape.join(',')}]`);
  const backend = backendOf('topk', x);
  const r = backend.topk(x, k, options.largest ?? true);
  const outShape = [...x.shape.slice(0, -1), k];
  backend.free(r.values);
  const indices = wrap(backend, r.indices, outShape, 'int32');
  // Values are re-read through takeAlongAxis so they carry the gradient.
  return { values: takeAlongAxis(x, indices, -1), indices };
});
