/** What every op does before reaching a kernel: pick the backend, check it, turn numbers into tensors. */
import type { Backend } from '../backend/contract.js';
import { getBackend } from '../backend/registry.js';
import { BackendError, DTypeError } from '../errors.js';
import type { DType } from '../tensor/dtype.js';
import { isFloat } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { wrap } from '../tensor/wrap.js';

/** The one backend all `tensors` live on; throws naming the op when they differ. */
export function backendOf(op: string, ...tensors: Tensor[]): Backend {
  const backend = tensors[0]!.backend;
  for (let i = 1; i < tensors.length; i++) {
    if (tensors[i]!.backend !== backend) {
      throw new BackendError(
        `${op}: tensors are on different backends (${tensors.map((t) => t.backend.name).join(', ')}); move one with .to('${backend.name}')`,
      );
    }
  }
  return backend;
}

/** Throws naming the op unless the backend stores `dtype`. */
export function checkBackendDType(op: string, backend: Backend, dtype: DType): void {
  if (!backend.dtypes.includes(dtype)) {
    throw new DTypeError(`${op}: backend '${backend.name}' has no ${dtype} (it supports ${backend.dtypes.join(', ')})`);
  }
}

/** A scalar tensor of `value` on `backend`. */
export function scalarOn(backend: Backend, value: number, dtype: DType): Tensor {
  return wrap(backend, backend.fill(1, value, dtype), [], dtype);
}

/** The dtype a plain number takes next to a tensor of `dtype` (ints stay ints, fractions float). */
export function scalarDType(value: number, dtype: DType): DType {
  if (dtype === 'bool') return Number.isInteger(value) ? 'int32' : 'float32';
  if (dtype === 'int32' && !Number.isInteger(value)) return 'float32';
  return dtype;
}

/** Turns numbers into scalar tensors on the other operand's backend. */
export function operands(a: Tensor | number, b: Tensor | number): [Tensor, Tensor] {
  if (a instanceof Tensor && b instanceof Tensor) return [a, b];
  if (a instanceof Tensor) return [a, scalarOn(a.backend, b as number, scalarDType(b as number, a.dtype))];
  if (b instanceof Tensor) return [scalarOn(b.backend, a, scalarDType(a, b.dtype)), b];
  const backend = getBackend();
  return [scalarOn(backend, a, 'float32'), scalarOn(backend, b, 'float32')];
}

/** Throws unless `t` is floating point. */
export function requireFloat(op: string, t: Tensor): void {
  if (!isFloat(t.dtype)) throw new DTypeError(`${op}: expected a float32 or float64 tensor, got ${t.dtype}`);
}

/** Throws unless `t` has one of `dtypes`. */
export function requireDType(op: string, t: Tensor, dtypes: readonly DType[], what = 'input'): void {
  if (!dtypes.includes(t.dtype)) throw new DTypeError(`${op}: ${what} must be ${dtypes.join(' or ')}, got ${t.dtype}`);
}

/** Throws unless `value` is a Tensor (for JS callers and bad casts). */
export function requireTensor(op: string, value: unknown, what = 'input'): Tensor {
  if (!(value instanceof Tensor)) throw new DTypeError(`${op}: ${what} must be a Tensor, got ${value === null ? 'null' : typeof value}`);
  return value;
}
