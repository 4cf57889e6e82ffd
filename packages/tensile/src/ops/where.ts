/** Elementwise selection with broadcasting. */
import { record } from '../autograd/graph.js';
import { DTypeError } from '../errors.js';
import { promote } from '../tensor/dtype.js';
import { broadcastShapes } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { cast } from './cast.js';
import { backendOf, scalarDType, scalarOn } from './dispatch.js';
import { wrap } from '../tensor/wrap.js';
import { sumTo } from './reduce.js';
import { defineOp } from './registry.js';
import { zerosLike } from './creation.js';

/** `condition ? a : b` elementwise; numbers take the other operand's dtype. */
export const where = defineOp('where', 'differentiable', (condition: Tensor, a: Tensor | number, b: Tensor | number): Tensor => {
  if (!(condition instanceof Tensor)) throw new DTypeError('where: condition must be a Tensor');
  const backend = condition.backend;
  const like = a instanceof Tensor ? a : b instanceof Tensor ? b : undefined;
  const likeDType = like?.dtype ?? 'float32';
  const ta = a instanceof Tensor ? a : scalarOn(backend, a, scalarDType(a, likeDType));
  const tb = b instanceof Tensor ? b : scalarOn(backend, b, scalarDType(b, likeDType));
  backendOf('where', condition, ta, tb);
  const dtype = promote(ta.dtype, tb.dtype);
  const ca = ta.dtype === dtype ? ta : cast(ta, dtype);
  const cb = tb.dtype === dtype ? tb : cast(tb, dtype);
  const cond = condition.dtype === 'bool' ? condition : cast(condition, 'bool');
  const outShape = broadcastShapes(broadcastShapes(cond.shape, ca.shape, 'where'), cb.shape, 'where');
  const y = wrap(backend, backend.where(cond, ca, cb, outShape), outShape, dtype);
  // d/da = dy where the condition holds, d/db = dy elsewhere.
  return record('where', y, [ca, cb], (dy) => {
    const zero = zerosLike(dy);
    return [
      ca.requiresGrad ? sumTo(where(cond, dy, zero), ca.shape) : null,
      cb.requiresGrad ? sumTo(where(cond, zero, dy), cb.shape) : null,
    ];
  });
});
