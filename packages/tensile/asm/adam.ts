// The fused Adam step (Backend.adamStep): one pass reading p, g, m, v and writing their new values,
// with the composite update's float32 operations in its order (no fused multiply-add), so both
// give the same bits.

/**
 * Elements [0, n) of p, g, m, v (float32) → pOut, mOut, vOut. Scalars arrive as float32 bit
 * patterns in i32 (task blocks hold i32); rest_k = 1 − beta_k as the host rounded it.
 */
export function adamStep(
  p: usize, g: usize, m: usize, v: usize, pOut: usize, mOut: usize, vOut: usize, n: i32,
  lrBits: i32, beta1Bits: i32, rest1Bits: i32, beta2Bits: i32, rest2Bits: i32, correction1Bits: i32, correction2Bits: i32, epsilonBits: i32,
): void {
  const lr = reinterpret<f32>(lrBits), beta1 = reinterpret<f32>(beta1Bits), rest1 = reinterpret<f32>(rest1Bits);
  const beta2 = reinterpret<f32>(beta2Bits), rest2 = reinterpret<f32>(rest2Bits);
  const correction1 = reinterpret<f32>(correction1Bits), correction2 = reinterpret<f32>(correction2Bits), epsilon = reinterpret<f32>(epsilonBits);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    const gi = v128.load(g + at);
    const mi = f32x4.add(f32x4.mul(v128.load(m + at), f32x4.splat(beta1)), f32x4.mul(gi, f32x4.splat(rest1)));
    const vi = f32x4.add(f32x4.mul(v128.load(v + at), f32x4.splat(beta2)), f32x4.mul(f32x4.mul(gi, gi), f32x4.splat(rest2)));
    const denominator = f32x4.add(f32x4.sqrt(f32x4.div(vi, f32x4.splat(correction2))), f32x4.splat(epsilon));
    const step = f32x4.mul(f32x4.div(f32x4.div(mi, f32x4.splat(correction1)), denominator), f32x4.splat(lr));
    v128.store(pOut + at, f32x4.sub(v128.load(p + at), step));
    v128.store(mOut + at, mi);
    v128.store(vOut + at, vi);
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const gi = load<f32>(g + at);
    const mi = load<f32>(m + at) * beta1 + gi * rest1;
    const vi = load<f32>(v + at) * beta2 + gi * gi * rest2;
    store<f32>(pOut + at, load<f32>(p + at) - mi / correction1 / (Mathf.sqrt(vi / correction2) + epsilon) * lr);
    store<f32>(mOut + at, mi);
    store<f32>(vOut + at, vi);
  }
}
