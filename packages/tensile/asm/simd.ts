// Shared SIMD helpers. ASC_FEATURE_RELAXED_SIMD is a compile-time constant, so each build keeps
// exactly one branch: the plain build multiplies then adds, the relaxed build emits one fused op.

/** a·b + c on four lanes. */
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

export function minI32(a: i32, b: i32): i32 {
  return a < b ? a : b;
}

/** Four 4-byte lanes at p: consecutive (inner stride 1) or one value repeated (inner stride 0). */
export function loadLanes(p: usize, stride: i32): v128 {
  return stride == 0 ? v128.load32_splat(p) : v128.load(p);
}
