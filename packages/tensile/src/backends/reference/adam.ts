/** The fused Adam step (Backend.adamStep): every operation rounded to float32, as the composite update rounds it. */
import type { AdamStepScalars } from '../../backend/contract.js';

export function adamStep(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, s: AdamStepScalars): [Float32Array, Float32Array, Float32Array] {
  const f = Math.fround;
  const [lr, beta1, beta2, epsilon, correction1, correction2] = [s.learningRate, s.beta1, s.beta2, s.epsilon, s.correction1, s.correction2].map(f) as [number, number, number, number, number, number];
  const [rest1, rest2] = [f(1 - s.beta1), f(1 - s.beta2)];
  const [pOut, mOut, vOut] = [new Float32Array(p.length), new Float32Array(p.length), new Float32Array(p.length)];
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]!;
    const mi = f(f(m[i]! * beta1) + f(gi * rest1));
    const vi = f(f(v[i]! * beta2) + f(f(gi * gi) * rest2));
    const step = f(f(f(mi / correction1) / f(f(Math.sqrt(f(vi / correction2))) + epsilon)) * lr);
    pOut[i] = p[i]! - step;
    mOut[i] = mi;
    vOut[i] = vi;
  }
  return [pOut, mOut, vOut];
}
