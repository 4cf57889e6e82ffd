/** Tensors around kernel results: what every op and the backward sweep make from a backend buffer. */
import type { Backend, DataId } from '../backend/contract.js';
import type { DType } from './dtype.js';
import { itemSize } from './dtype.js';
import type { Shape } from './shape.js';
import { sizeOf } from './shape.js';
import { Storage } from './storage.js';
import { Tensor } from './tensor.js';

/** A tensor for a kernel result. */
export function wrap(backend: Backend, id: DataId, shape: Shape, dtype: DType): Tensor {
  return new Tensor(new Storage(backend, id, sizeOf(shape) * itemSize(dtype)), shape, dtype);
}

/** A tensor of `value` shaped `shape` on `backend`. */
export function fullOn(backend: Backend, shape: Shape, value: number, dtype: DType): Tensor {
  return wrap(backend, backend.fill(sizeOf(shape), value, dtype), shape, dtype);
}
