// Elementwise kernels over an [outer, inner] view: each operand has an outer stride and an inner
// stride of 0 (broadcast) or 1, which covers same-shape, scalar, row and column broadcasting; the
// host loops over any further broadcast dimensions.
import { compareBlock } from './compare';
import { loadLanes } from './simd';
import { velu, vexp, vexpm1, vlog, vlog1p, vsigmoid, vsoftplus, vsoftsign, vtanh } from './vmath';

export const OP_ADD = 0;
export const OP_SUB = 1;
export const OP_MUL = 2;
export const OP_DIV = 3;
export const OP_MAX = 4;
export const OP_MIN = 5;
export const OP_MOD = 6;
/** No SIMD form: runs lane by lane through Mathf. */
export const OP_POW = 7;

/** float32: every op; int32: add/sub/mul/max/min with wrap-around, as Int32Array stores. */
function vectorOp<T>(op: i32, x: v128, y: v128): v128 {
  if (isInteger<T>()) {
    switch (op) {
      case OP_ADD: return i32x4.add(x, y);
      case OP_SUB: return i32x4.sub(x, y);
      case OP_MUL: return i32x4.mul(x, y);
      case OP_MAX: return i32x4.max_s(x, y);
      default: return i32x4.min_s(x, y);
    }
  }
  switch (op) {
    case OP_ADD: return f32x4.add(x, y);
    case OP_SUB: return f32x4.sub(x, y);
    case OP_MUL: return f32x4.mul(x, y);
    case OP_DIV: return f32x4.div(x, y);
    case OP_MAX: return f32x4.max(x, y);
    case OP_MIN: return f32x4.min(x, y);
    default: return f32x4.sub(x, f32x4.mul(f32x4.floor(f32x4.div(x, y)), y));
  }
}

function scalarOp<T>(op: i32, x: T, y: T): T {
  switch (op) {
    case OP_ADD: return x + y;
    case OP_SUB: return x - y;
    case OP_MUL: return x * y;
    case OP_DIV: return x / y;
    case OP_MAX: return max<T>(x, y);
    case OP_MIN: return min<T>(x, y);
    case OP_MOD: return <T>(<f32>x - Mathf.floor(<f32>x / <f32>y) * <f32>y);
    default: return <T>Mathf.pow(<f32>x, <f32>y);
  }
}

function binaryBlock<T>(
  op: i32, a: usize, aOuter: i32, aInner: i32, b: usize, bOuter: i32, bInner: i32,
  out: usize, outer: i32, inner: i32,
): void {
  const aStep = <usize>aInner << 4;
  const bStep = <usize>bInner << 4;
  for (let o = 0; o < outer; o++) {
    let pa = a + (<usize>(o * aOuter) << 2);
    let pb = b + (<usize>(o * bOuter) << 2);
    let po = out + (<usize>(o * inner) << 2);
    const vectorEnd = op == OP_POW ? 0 : inner & ~3;
    let i = 0;
    for (; i < vectorEnd; i += 4) {
      v128.store(po, vectorOp<T>(op, loadLanes(pa, aInner), loadLanes(pb, bInner)));
      pa += aStep;
      pb += bStep;
      po += 16;
    }
    for (; i < inner; i++) {
      store<T>(po, scalarOp<T>(op, load<T>(pa), load<T>(pb)));
      pa += <usize>aInner << 2;
      pb += <usize>bInner << 2;
      po += 4;
    }
  }
}

/** What `elementwiseBlock` computes: arithmetic into the operands' dtype, or comparisons into bool. */
export const E_BINARY_F32 = 0;
export const E_BINARY_I32 = 1;
export const E_COMPARE_F32 = 2;
export const E_COMPARE_I32 = 3;

/** One [outer, inner] block of a broadcasting binary op (OP_* or C_* codes) of kind E_*. */
export function elementwiseBlock(
  kind: i32, op: i32, a: usize, aOuter: i32, aInner: i32, b: usize, bOuter: i32, bInner: i32, out: usize, outer: i32, inner: i32,
): void {
  switch (kind) {
    case E_BINARY_F32: binaryBlock<f32>(op, a, aOuter, aInner, b, bOuter, bInner, out, outer, inner); break;
    case E_BINARY_I32: binaryBlock<i32>(op, a, aOuter, aInner, b, bOuter, bInner, out, outer, inner); break;
    case E_COMPARE_F32: compareBlock<f32>(op, a, aOuter, aInner, b, bOuter, bInner, out, outer, inner); break;
    default: compareBlock<i32>(op, a, aOuter, aInner, b, bOuter, bInner, out, outer, inner);
  }
}

export const U_NEG = 0;
export const U_ABS = 1;
export const U_SQRT = 2;
export const U_SQUARE = 3;
export const U_RELU = 4;
export const U_RECIPROCAL = 5;
export const U_FLOOR = 6;
export const U_CEIL = 7;
export const U_EXP = 8;
export const U_LOG = 9;
export const U_SIGMOID = 10;
export const U_TANH = 11;
export const U_SOFTPLUS = 12;
export const U_EXPM1 = 13;
export const U_LOG1P = 14;
export const U_ELU = 15;
export const U_SOFTSIGN = 16;

function vectorUnary(op: i32, x: v128): v128 {
  switch (op) {
    case U_NEG: return f32x4.neg(x);
    case U_ABS: return f32x4.abs(x);
    case U_SQRT: return f32x4.sqrt(x);
    case U_SQUARE: return f32x4.mul(x, x);
    case U_RELU: return f32x4.max(x, f32x4.splat(0));
    case U_RECIPROCAL: return f32x4.div(f32x4.splat(1), x);
    case U_FLOOR: return f32x4.floor(x);
    case U_CEIL: return f32x4.ceil(x);
    case U_EXP: return inline.always(vexp(x));
    case U_LOG: return inline.always(vlog(x));
    case U_SIGMOID: return inline.always(vsigmoid(x));
    case U_TANH: return inline.always(vtanh(x));
    case U_SOFTPLUS: return inline.always(vsoftplus(x));
    case U_EXPM1: return inline.always(vexpm1(x));
    case U_LOG1P: return inline.always(vlog1p(x));
    case U_ELU: return inline.always(velu(x));
    default: return inline.always(vsoftsign(x));
  }
}

function unaryLoop(op: i32, x: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    v128.store(out + at, inline.always(vectorUnary(op, v128.load(x + at))));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    v128.store32_lane(out + at, inline.always(vectorUnary(op, v128.load32_splat(x + at))), 0);
  }
}

export function unaryF32(op: i32, x: usize, out: usize, n: i32): void {
  // One loop per op, inlined with the op as a constant, so vectorUnary's switch folds away.
  switch (op) {
    case U_NEG: inline.always(unaryLoop(U_NEG, x, out, n)); break;
    case U_ABS: inline.always(unaryLoop(U_ABS, x, out, n)); break;
    case U_SQRT: inline.always(unaryLoop(U_SQRT, x, out, n)); break;
    case U_SQUARE: inline.always(unaryLoop(U_SQUARE, x, out, n)); break;
    case U_RELU: inline.always(unaryLoop(U_RELU, x, out, n)); break;
    case U_RECIPROCAL: inline.always(unaryLoop(U_RECIPROCAL, x, out, n)); break;
    case U_FLOOR: inline.always(unaryLoop(U_FLOOR, x, out, n)); break;
    case U_CEIL: inline.always(unaryLoop(U_CEIL, x, out, n)); break;
    case U_EXP: inline.always(unaryLoop(U_EXP, x, out, n)); break;
    case U_LOG: inline.always(unaryLoop(U_LOG, x, out, n)); break;
    case U_SIGMOID: inline.always(unaryLoop(U_SIGMOID, x, out, n)); break;
    case U_TANH: inline.always(unaryLoop(U_TANH, x, out, n)); break;
    case U_SOFTPLUS: inline.always(unaryLoop(U_SOFTPLUS, x, out, n)); break;
    case U_EXPM1: inline.always(unaryLoop(U_EXPM1, x, out, n)); break;
    case U_LOG1P: inline.always(unaryLoop(U_LOG1P, x, out, n)); break;
    case U_ELU: inline.always(unaryLoop(U_ELU, x, out, n)); break;
    default: inline.always(unaryLoop(U_SOFTSIGN, x, out, n));
  }
}

export const D_F32 = 0;
export const D_I32 = 1;
export const D_BOOL = 2;

/** float32 → int32 as JavaScript stores it: truncated, wrapped modulo 2³², NaN and ±∞ → 0. */
function toInt32(v: f32): i32 {
  return Mathf.abs(v) < 9.2e18 ? <i32><i64>v : 0;
}

/** n elements of dtype `from` (D_* codes) to dtype `to`; bool is 1 for every non-zero, non-NaN value. */
export function castElements(from: i32, to: i32, x: usize, out: usize, n: i32): void {
  let i = 0;
  if (from == D_BOOL && to == D_F32) {
    for (; i + 16 <= n; i += 16) {
      const bytes = v128.load(x + <usize>i);
      const lo = i16x8.extend_low_i8x16_u(bytes);
      const hi = i16x8.extend_high_i8x16_u(bytes);
      const dst = out + (<usize>i << 2);
      v128.store(dst, f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(lo)));
      v128.store(dst, f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(lo)), 16);
      v128.store(dst, f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(hi)), 32);
      v128.store(dst, f32x4.convert_i32x4_u(i32x4.extend_high_i16x8_u(hi)), 48);
    }
  } else if (from == D_I32 && to == D_F32) {
    for (; i + 4 <= n; i += 4) {
      const at = <usize>i << 2;
      v128.store(out + at, f32x4.convert_i32x4_s(v128.load(x + at)));
    }
  }
  for (; i < n; i++) {
    if (from == D_F32) {
      const v = load<f32>(x + (<usize>i << 2));
      if (to == D_F32) store<f32>(out + (<usize>i << 2), v);
      else if (to == D_I32) store<i32>(out + (<usize>i << 2), toInt32(v));
      else store<u8>(out + <usize>i, v != 0 && v == v ? 1 : 0);
    } else {
      const v: i32 = from == D_I32 ? load<i32>(x + (<usize>i << 2)) : <i32>load<u8>(x + <usize>i);
      if (to == D_F32) store<f32>(out + (<usize>i << 2), <f32>v);
      else if (to == D_I32) store<i32>(out + (<usize>i << 2), v);
      else store<u8>(out + <usize>i, v != 0 ? 1 : 0);
    }
  }
}
