/** The Adam update as one backend pass (Backend.adamStep) where the backend has one. */
import type { AdamStepScalars } from '../backend/contract.js';
import { traceRecorder } from '../backend/trace-hook.js';
import { wrap } from '../tensor/wrap.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * Updates `param` and its moments `m`, `v` in one pass and returns true; returns false, touching
 * nothing, when the backend has no fused step or the tensors are not all float32 on it — the caller
 * then runs the composite update, which gives the same bits.
 */
export function fusedAdamStep(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, scalars: AdamStepScalars): boolean {
  const backend = param.backend;
  const operands = [param, grad, m, v];
  if (!backend.adamStep || operands.some((t) => t.dtype !== 'float32' || t.backend !== backend)) return false;
  // Buffers no other tensor views are updated where they are (no three fresh arrays a step); a trace
  // records the out-of-place step, which its graph makes in-place itself where nothing reads the old values.
  if (backend.adamStepInPlace && traceRecorder() === null && ![param, m, v].some((t) => t.storage.shared)) {
    backend.adamStepInPlace(param, grad, m, v, scalars);
    return true;
  }
  const [p, mNew, vNew] = backend.adamStep(param, grad, m, v, scalars);
  param.assign(wrap(backend, p, param.shape, 'float32'));
  m.assign(wrap(backend, mNew, m.shape, 'float32'));
  v.assign(wrap(backend, vNew, v.shape, 'float32'));
  return true;
}
