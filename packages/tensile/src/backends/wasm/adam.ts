/** The fused Adam step (asm/adam.ts): into fresh buffers, or in place (the kernel reads each element before it writes it). */
import type { AdamStepScalars, DataId, TensorRef } from '../../backend/contract.js';
import { sizeOf } from '../../tensor/shape.js';
import type { WasmRuntime } from './runtime.js';

export function adamStep(rt: WasmRuntime, param: TensorRef, grad: TensorRef, m: TensorRef, v: TensorRef, scalars: AdamStepScalars): [DataId, DataId, DataId] {
  const n = sizeOf(param.shape);
  const out = [rt.allocate(n, 'float32'), rt.allocate(n, 'float32'), rt.allocate(n, 'float32')] as const;
  adamStepInto(rt, param, grad, m, v, scalars, out.map((b) => b.ptr) as [number, number, number]);
  return [...out];
}

/** Writes the step's [param, m, v] at the pointers `into` (those of param, m and v themselves for the in-place step). */
export function adamStepInto(rt: WasmRuntime, param: TensorRef, grad: TensorRef, m: TensorRef, v: TensorRef, scalars: AdamStepScalars, into: readonly [number, number, number]): void {
  rt.requireFloat32('adamStep', param, grad, m, v);
  const n = sizeOf(param.shape);
  const [pOut, mOut, vOut] = into;
  // Task blocks hold i32: the scalars travel as float32 bit patterns.
  const { learningRate, beta1, beta2, correction1, correction2, epsilon } = scalars;
  const [lr, b1, rest1, b2, rest2, c1, c2, eps] = new Int32Array(new Float32Array([learningRate, beta1, 1 - beta1, beta2, 1 - beta2, correction1, correction2, epsilon]).buffer);
  const [p, g, mIn, vIn] = [param, grad, m, v].map((x) => rt.ptr(x)) as [number, number, number, number];
  rt.splitElements(n, 'adamStep', (start, count) => [
    p + start * 4, g + start * 4, mIn + start * 4, vIn + start * 4, pOut + start * 4, mOut + start * 4, vOut + start * 4, count,
    lr!, b1!, rest1!, b2!, rest2!, c1!, c2!, eps!,
  ]);
}
