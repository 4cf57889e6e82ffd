// Elementwise kernels over an [outer, inner] view: each operand has an outer stride and an inner
// stride of 0 (broadcast) or 1, which covers same-shape, scalar, row and column broadcasting; the
// host loops over any further broadcast dimensions.
import { compareBlock } from './compare';
import { loadLanes } from './simd';
import { velu, vexp, vexpm1, vlog, vlog1p, vsigmoid, vsoftplus, vsoftsign, vtanh } from './vmath';

/** Arithmetic ops, named as the backend contract's BinaryOp (the host reads these codes from the build). */
export enum BinaryCode {
  add, sub, mul, div, maximum, minimum, mod,
  /** No SIMD form: runs lane by lane through Mathf. */
  pow,
}

/** float32: every op; int32: add/sub/mul/max/min with wrap-around, as Int32Array stores. */
function vectorOp<T>(op: i32, x: v128, y: v128): v128 {
  if (isInteger<T>()) {
    switch (op) {
      case BinaryCode.add: return i32x4.add(x, y);
      case BinaryCode.sub: return i32x4.sub(x, y);
      case BinaryCode.mul: return i32x4.mul(x, y);
      case BinaryCode.maximum: return i32x4.max_s(x, y);
      default: return i32x4.min_s(x, y);
    }
  }
  switch (op) {
    case BinaryCode.add: return f32x4.add(x, y);
    case BinaryCode.sub: return f32x4.sub(x, y);
    case BinaryCode.mul: return f32x4.mul(x, y);
    case BinaryCode.div: return f32x4.div(x, y);
    case BinaryCode.maximum: return f32x4.max(x, y);
    case BinaryCode.minimum: return f32x4.min(x, y);
    default: return f32x4.sub(x, f32x4.mul(f32x4.floor(f32x4.div(x, y)), y));
  }
}

function scalarOp<T>(op: i32, x: T, y: T): T {
  switch (op) {
    case BinaryCode.add: return x + y;
    case BinaryCode.sub: return x - y;
    case BinaryCode.mul: return x * y;
    case BinaryCode.div: return x / y;
    case BinaryCode.maximum: return max<T>(x, y);
    case BinaryCode.minimum: return min<T>(x, y);
    case BinaryCode.mod: return <T>(<f32>x - Mathf.floor(<f32>x / <f32>y) * <f32>y);
    default: return <T>Mathf.pow(<f32>x, <f32>y);
  }
}

function binaryBlock<T>(
  op: i32, a: usize, aOuter: i32, aInner: i32, b: usize, bOuter: i32, bInner: i32,
  out: usize, outer: i32, inner: i32,
): void {
  // One loop per op, inlined with the op as a constant, so vectorOp's and scalarOp's switches fold away.
  switch (op) {
    case BinaryCode.add: inline.always(binaryLoop<T>(BinaryCode.add, a, aOuter, aInner, b, bOuter, bInner, out, outer, inner)); break;
    case BinaryCode.sub: inline.always(binaryLoop<T>(BinaryCode.sub, a, aOuter, aInner, b, bOuter, bInner, out, outer, inner)); break;
    case BinaryCode.mul: inline.always(binaryLoop<T>(BinaryCode.mul, a, aOuter, aInner, b, bOuter, bInner, out, outer, inner)); break;
    case BinaryCode.maximum: inline.always(binaryLoop<T>(BinaryCode.maximum, a, aOuter, aInner, b, bOuter, bInner, out, outer, inner)); break;
    case BinaryCode.minimum: inline.always(binaryLoop<T>(BinaryCode.minimum, a, aOuter, aInner, b, bOuter, bInner, out, outer, inner)); break;
    default: binaryLoop<T>(op, a, aOuter, aInner, b, bOuter, bInner, out, outer, inner);
  }
}

function binaryLoop<T>(
  op: i32, a: usize, aOuter: i32, aInner: i32, b: usize, bOuter: i32, bInner: i32,
  out: usize, outer: i32, inner: i32,
): void {
  const aStep = <usize>aInner << 4;
  const bStep = <usize>bInner << 4;
  for (let o = 0; o < outer; o++) {
    let pa = a + (<usize>(o * aOuter) << 2);
    let pb = b + (<usize>(o * bOuter) << 2);
    let po = out + (<usize>(o * inner) << 2);
    const vectorEnd = op == BinaryCode.pow ? 0 : inner & ~3;
    let i = 0;
    if (aInner == 1 && bInner == 1) {
      // Same-shape rows: plain loads, no broadcast test per vector.
      for (; i < vectorEnd; i += 4) {
        v128.store(po, vectorOp<T>(op, v128.load(pa), v128.load(pb)));
        pa += 16;
        pb += 16;
        po += 16;
      }
    }
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
export enum ElementwiseKind { binaryF32, binaryI32, compareF32, compareI32 }

/** One [outer, inner] block of a broadcasting binary op (a BinaryCode or CompareCode) of an ElementwiseKind. */
export function elementwiseBlock(
  kind: i32, op: i32, a: usize, aOuter: i32, aInner: i32, b: usize, bOuter: i32, bInner: i32, out: usize, outer: i32, inner: i32,
): void {
  switch (kind) {
    case ElementwiseKind.binaryF32: binaryBlock<f32>(op, a, aOuter, aInner, b, bOuter, bInner, out, outer, inner); break;
    case ElementwiseKind.binaryI32: binaryBlock<i32>(op, a, aOuter, aInner, b, bOuter, bInner, out, outer, inner); break;
    case ElementwiseKind.compareF32: compareBlock<f32>(op, a, aOuter, aInner, b, bOuter, bInner, out, outer, inner); break;
    default: compareBlock<i32>(op, a, aOuter, aInner, b, bOuter, bInner, out, outer, inner);
  }
}

/** Unary float32 ops, named as the backend contract's UnaryOp. */
export enum UnaryCode {
  neg, abs, sqrt, square, relu, reciprocal, floor, ceil, exp, log, sigmoid, tanh, softplus, expm1, log1p, elu, softsign,
}

function vectorUnary(op: i32, x: v128): v128 {
  switch (op) {
    case UnaryCode.neg: return f32x4.neg(x);
    case UnaryCode.abs: return f32x4.abs(x);
    case UnaryCode.sqrt: return f32x4.sqrt(x);
    case UnaryCode.square: return f32x4.mul(x, x);
    case UnaryCode.relu: return f32x4.max(x, f32x4.splat(0));
    case UnaryCode.reciprocal: return f32x4.div(f32x4.splat(1), x);
    case UnaryCode.floor: return f32x4.floor(x);
    case UnaryCode.ceil: return f32x4.ceil(x);
    case UnaryCode.exp: return inline.always(vexp(x));
    case UnaryCode.log: return inline.always(vlog(x));
    case UnaryCode.sigmoid: return inline.always(vsigmoid(x));
    case UnaryCode.tanh: return inline.always(vtanh(x));
    case UnaryCode.softplus: return inline.always(vsoftplus(x));
    case UnaryCode.expm1: return inline.always(vexpm1(x));
    case UnaryCode.log1p: return inline.always(vlog1p(x));
    case UnaryCode.elu: return inline.always(velu(x));
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
    case UnaryCode.neg: inline.always(unaryLoop(UnaryCode.neg, x, out, n)); break;
    case UnaryCode.abs: inline.always(unaryLoop(UnaryCode.abs, x, out, n)); break;
    case UnaryCode.sqrt: inline.always(unaryLoop(UnaryCode.sqrt, x, out, n)); break;
    case UnaryCode.square: inline.always(unaryLoop(UnaryCode.square, x, out, n)); break;
    case UnaryCode.relu: inline.always(unaryLoop(UnaryCode.relu, x, out, n)); break;
    case UnaryCode.reciprocal: inline.always(unaryLoop(UnaryCode.reciprocal, x, out, n)); break;
    case UnaryCode.floor: inline.always(unaryLoop(UnaryCode.floor, x, out, n)); break;
    case UnaryCode.ceil: inline.always(unaryLoop(UnaryCode.ceil, x, out, n)); break;
    case UnaryCode.exp: inline.always(unaryLoop(UnaryCode.exp, x, out, n)); break;
    case UnaryCode.log: inline.always(unaryLoop(UnaryCode.log, x, out, n)); break;
    case UnaryCode.sigmoid: inline.always(unaryLoop(UnaryCode.sigmoid, x, out, n)); break;
    case UnaryCode.tanh: inline.always(unaryLoop(UnaryCode.tanh, x, out, n)); break;
    case UnaryCode.softplus: inline.always(unaryLoop(UnaryCode.softplus, x, out, n)); break;
    case UnaryCode.expm1: inline.always(unaryLoop(UnaryCode.expm1, x, out, n)); break;
    case UnaryCode.log1p: inline.always(unaryLoop(UnaryCode.log1p, x, out, n)); break;
    case UnaryCode.elu: inline.always(unaryLoop(UnaryCode.elu, x, out, n)); break;
    default: inline.always(unaryLoop(UnaryCode.softsign, x, out, n));
  }
}

/** Element types of `castElements`, named as the host's dtypes. */
export enum DTypeCode { float32, int32, bool }

/** float32 → int32 as JavaScript stores it: truncated, wrapped modulo 2³², NaN and ±∞ → 0. */
function toInt32(v: f32): i32 {
  return Mathf.abs(v) < 9.2e18 ? <i32><i64>v : 0;
}

/** n elements of dtype `from` (D_* codes) to dtype `to`; bool is 1 for every non-zero, non-NaN value. */
export function castElements(from: i32, to: i32, x: usize, out: usize, n: i32): void {
  let i = 0;
  if (from == DTypeCode.bool && to == DTypeCode.float32) {
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
  } else if (from == DTypeCode.int32 && to == DTypeCode.float32) {
    for (; i + 4 <= n; i += 4) {
      const at = <usize>i << 2;
      v128.store(out + at, f32x4.convert_i32x4_s(v128.load(x + at)));
    }
  }
  for (; i < n; i++) {
    if (from == DTypeCode.float32) {
      const v = load<f32>(x + (<usize>i << 2));
      if (to == DTypeCode.float32) store<f32>(out + (<usize>i << 2), v);
      else if (to == DTypeCode.int32) store<i32>(out + (<usize>i << 2), toInt32(v));
      else store<u8>(out + <usize>i, v != 0 && v == v ? 1 : 0);
    } else {
      const v: i32 = from == DTypeCode.int32 ? load<i32>(x + (<usize>i << 2)) : <i32>load<u8>(x + <usize>i);
      if (to == DTypeCode.float32) store<f32>(out + (<usize>i << 2), <f32>v);
      else if (to == DTypeCode.int32) store<i32>(out + (<usize>i << 2), v);
      else store<u8>(out + <usize>i, v != 0 ? 1 : 0);
    }
  }
}
