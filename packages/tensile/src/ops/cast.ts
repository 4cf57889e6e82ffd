/** dtype conversion. Float→int truncates toward zero; anything→bool is "non-zero". */
import { record } from '../autograd/graph.js';
import type { DType } from '../tensor/dtype.js';
import { assertDType, isFloat } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { backendOf, checkBackendDType, requireTensor } from './dispatch.js';
import { wrap } from '../tensor/wrap.js';
import { defineOp } from './registry.js';

// The gradient flows between float dtypes only (cast back); to or from ints it stops.
export const cast = defineOp('cast', 'differentiable', (x: Tensor, dtype: DType): Tensor => {
  requireTensor('cast', x);
  assertDType(dtype, 'cast');
  if (x.dtype === dtype) return x;
  const backend = backendOf('cast', x);
  checkBackendDType('cast', backend, dtype);
  const y = wrap(backend, backend.cast(x, dtype), x.shape, dtype);
  if (!isFloat(dtype) || !isFloat(x.dtype)) return y;
  return record('cast', y, [x], (dy) => [cast(dy, x.dtype)]);
});
