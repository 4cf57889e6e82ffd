// Gradients of activations from their outputs: dL/dx = dL/dy · f'(x), with f'(x) written in terms of
// y = f(x), so the backward pass reads dy and y once and needs no temporaries.
import { madd } from './simd';
import { vexpm1 } from './vmath';

/** Activations, named as the backend contract's ActivationOp. */
export enum ActivationGradCode { relu, sigmoid, tanh, softplus, elu, softsign }

function gradient(op: i32, dy: v128, y: v128): v128 {
  const one = f32x4.splat(1);
  switch (op) {
    // y > 0 selects dy; NaN in y gives 0, like where(y > 0, dy, 0).
    case ActivationGradCode.relu: return v128.and(dy, f32x4.gt(y, f32x4.splat(0)));
    case ActivationGradCode.sigmoid: return f32x4.mul(dy, f32x4.mul(y, f32x4.sub(one, y)));
    case ActivationGradCode.tanh: return f32x4.mul(dy, madd(f32x4.neg(y), y, one));
    // σ(x) = 1 − e^−y; −expm1(−y) keeps its precision when y is tiny.
    case ActivationGradCode.softplus: return f32x4.mul(dy, f32x4.neg(inline.always(vexpm1(f32x4.neg(y)))));
    case ActivationGradCode.elu: return v128.bitselect(dy, f32x4.mul(dy, f32x4.add(y, one)), f32x4.gt(y, f32x4.splat(0)));
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
    case ActivationGradCode.relu: inline.always(gradientLoop(ActivationGradCode.relu, dy, y, out, n)); break;
    case ActivationGradCode.sigmoid: inline.always(gradientLoop(ActivationGradCode.sigmoid, dy, y, out, n)); break;
    case ActivationGradCode.tanh: inline.always(gradientLoop(ActivationGradCode.tanh, dy, y, out, n)); break;
    case ActivationGradCode.softplus: inline.always(gradientLoop(ActivationGradCode.softplus, dy, y, out, n)); break;
    case ActivationGradCode.elu: inline.always(gradientLoop(ActivationGradCode.elu, dy, y, out, n)); break;
    default: inline.always(gradientLoop(ActivationGradCode.softsign, dy, y, out, n));
  }
}
