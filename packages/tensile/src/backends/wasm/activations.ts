/** Activation gradients (asm/activation-grad.ts): dL/dx from dL/dy and the activation's output, in one pass. */
import type { ActivationOp, DataId, TensorRef } from '../../backend/contract.js';
import { sizeOf } from '../../tensor/shape.js';
import { ActivationGradCode } from './generated/kernel-interface.js';
import { checkWasmDType } from './heap.js';
import { codesFor } from './kernel-codes.js';
import type { WasmRuntime } from './runtime.js';

const ACTIVATION_GRAD_CODES: Readonly<Record<ActivationOp, number>> = codesFor<ActivationOp>()(ActivationGradCode);

export function activationGrad(rt: WasmRuntime, op: ActivationOp, dy: TensorRef, y: TensorRef): DataId {
  checkWasmDType(dy.dtype, `activationGrad(${op})`);
  const out = rt.allocate(sizeOf(y.shape), 'float32');
  const code = ACTIVATION_GRAD_CODES[op];
  const [dyPtr, yPtr] = [rt.ptr(dy), rt.ptr(y)];
  rt.splitElements(out.length, 'activationGrad', (start, count) => [code, dyPtr + start * 4, yPtr + start * 4, out.ptr + start * 4, count]);
  return out;
}
