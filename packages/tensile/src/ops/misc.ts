/** Copies: clone, and moving a tensor between backends. */
import { record } from '../autograd/graph.js';
import { findBackend } from '../backend/registry.js';
import { stridesOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkBackendDType, requireTensor } from './dispatch.js';
import { wrap } from '../tensor/wrap.js';
import { defineOp } from './registry.js';

/** A copy with its own storage; gradients flow through. */
export const clone = defineOp('clone', 'differentiable', (x: Tensor): Tensor => {
  requireTensor('clone', x);
  const y = wrap(x.backend, x.backend.stridedCopy(x, x.shape, stridesOf(x.shape), 0), x.shape, x.dtype);
  return record('clone', y, [x], (dy) => [dy]);
});

/** The tensor on backend `name` (itself if already there); gradients flow back to the original. */
export const toBackend = defineOp('toBackend', 'differentiable', (x: Tensor, name: string): Tensor => {
  requireTensor('toBackend', x);
  const target = findBackend(name);
  if (target === x.backend) return x;
  checkBackendDType('toBackend', target, x.dtype);
  const y = wrap(target, target.upload(x.dataSync()), x.shape, x.dtype);
  const source = x.backend.name;
  return record('toBackend', y, [x], (dy) => [toBackend(dy, source)]);
});
