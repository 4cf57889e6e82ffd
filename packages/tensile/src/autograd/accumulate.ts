/**
 * Sums two gradients of one tensor. It runs the backend's add kernel directly instead of the `add`
 * op, so the tape does not depend on the ops built on it; when the sweep records a graph (higher
 * derivatives) it records the sum itself, whose gradient passes to both terms unchanged.
 */
import { GradError } from '../errors.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { wrap } from '../tensor/wrap.js';
import { record } from './graph.js';

export function accumulate(op: string, a: Tensor, b: Tensor): Tensor {
  if (!shapesEqual(a.shape, b.shape) || a.dtype !== b.dtype || a.backend !== b.backend) {
    throw new GradError(
      `${op}: cannot sum gradients ${formatShape(a.shape)} ${a.dtype} on '${a.backend.name}' and ${formatShape(b.shape)} ${b.dtype} on '${b.backend.name}'`,
    );
  }
  const backend = a.backend;
  const sum = wrap(backend, backend.binary('add', a, b, a.shape, a.dtype), a.shape, a.dtype);
  return record('add', sum, [a, b], (dy) => [dy, dy]);
}
