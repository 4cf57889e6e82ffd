/** The fused Adam step (asm/adam.ts). */
import type { AdamStepScalars, DataId, TensorRef } from '../../backend/contract.js';
import { sizeOf } from '../../tensor/shape.js';
import type { WasmRuntime } from './runtime.js';

export function adamStep(rt: WasmRuntime, param: TensorRef, grad: TensorRef, m: TensorRef, v: TensorRef, scalars: AdamStepScalars): [DataId, DataId, DataId] {
  rt.requireFloat32('adamStep', param, grad, m, v);
  const n = sizeOf(param.shape);
  const [pOut, mOut, vOut] = [rt.allocate(n, 'float32'), rt.allocate(n, 'float32'), rt.allocate(n, 'float32')];
  // Task blocks hold i32: the scalars travel as float32 bit patterns.
  const { learningRate, beta1, beta2, correction1, correction2, epsilon } = scalars;
  const [lr, b1, rest1, b2, rest2, c1, c2, eps] = new Int32Array(new Float32Array([learningRate, beta1, 1 - beta1, beta2, 1 - beta2, correction1, correction2, epsilon]).buffer);
  const [p, g, mIn, vIn] = [param, grad, m, v].map((x) => rt.ptr(x)) as [number, number, number, number];
  rt.splitElements(n, 'adamStep', (start, count) => [
    p + start * 4, g + start * 4, mIn + start * 4, vIn + start * 4, pOut.ptr + start * 4, mOut.ptr + start * 4, vOut.ptr + start * 4, count,
    lr!, b1!, rest1!, b2!, rest2!, c1!, c2!, eps!,
  ]);
  return [pOut, mOut, vOut];
}
