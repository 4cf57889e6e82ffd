// Gradients of activations from their outputs: dL/dx = dL/dy · f'(x), with f'(x) written in terms of
// y = f(x), so the backward pass reads dy and y once and needs no temporaries.
import { madd } from './simd';
import { vexpm1 } from './vmath';

export const G_RELU = 0;
export const G_SIGMOID = 1;
export const G_TANH = 2;
export const G_SOFTPLUS = 3;
export const G_ELU = 4;
export const G_SOFTSIGN = 5;

function gradient(op: i32, dy: v128, y: v128): v128 {
  const one = f32x4.splat(1);
  switch (op) {
    // y > 0 selects dy; NaN in y gives 0, like where(y > 0, dy, 0).
    case G_RELU: return v128.and(dy, f32x4.gt(y, f32x4.splat(0)));
    case G_SIGMOID: return f32x4.mul(dy, f32x4.mul(y, f32x4.sub(one, y)));
    case G_TANH: return f32x4.mul(dy, madd(f32x4.neg(y), y, one));
    // σ(x) = 1 − e^−y; −expm1(−y) keeps its precision when y is tiny.
    case G_SOFTPLUS: return f32x4.mul(dy, f32x4.neg(inline.always(vexpm1(f32x4.neg(y)))));
    case G_ELU: return v128.bitselect(dy, f32x4.mul(dy, f32x4.add(y, one)), f32x4.gt(y, f32x4.splat(0)));
    default: {
      const s = f32x4.sub(one, f32x4.abs(y));
      return f32x4.mul(dy, f32x4.mul(s, s));
    }
  }
}

function gradientLoop(op: i32, dy: usize, y: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    v128.store(out + at, inline.always(gradient(op, v128.load(dy + at), v128.load(y + at))));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    v128.store32_lane(out + at, inline.always(gradient(op, v128.load32_splat(dy + at), v128.load32_splat(y + at))), 0);
  }
}

export function activationGrad(op: i32, dy: usize, y: usize, out: usize, n: i32): void {
  // One loop per op, inlined with the op as a constant, so gradient's switch folds away.
  switch (op) {
    case G_RELU: inline.always(gradientLoop(G_RELU, dy, y, out, n)); break;
    case G_SIGMOID: inline.always(gradientLoop(G_SIGMOID, dy, y, out, n)); break;
    case G_TANH: inline.always(gradientLoop(G_TANH, dy, y, out, n)); break;
    case G_SOFTPLUS: inline.always(gradientLoop(G_SOFTPLUS, dy, y, out, n)); break;
    case G_ELU: inline.always(gradientLoop(G_ELU, dy, y, out, n)); break;
    default: inline.always(gradientLoop(G_SOFTSIGN, dy, y, out, n));
  }
}
