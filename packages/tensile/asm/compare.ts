// Comparisons of two float32 or int32 operands into bool bytes (0/1), and `where`, over [outer, inner]
// blocks with the broadcast strides of elementwise.ts (inner stride 0 or 1). Sixteen results are
// narrowed from four i32x4 masks into one byte vector per step.
import { loadLanes } from './simd';

/** Comparisons, named as the backend contract's BinaryOp. */
export enum CompareCode { eq, ne, lt, le, gt, ge }

function vectorCompare<T>(op: i32, x: v128, y: v128): v128 {
  if (isInteger<T>()) {
    switch (op) {
      case CompareCode.eq: return i32x4.eq(x, y);
      case CompareCode.ne: return i32x4.ne(x, y);
      case CompareCode.lt: return i32x4.lt_s(x, y);
      case CompareCode.le: return i32x4.le_s(x, y);
      case CompareCode.gt: return i32x4.gt_s(x, y);
      default: return i32x4.ge_s(x, y);
    }
  }
  switch (op) {
    case CompareCode.eq: return f32x4.eq(x, y);
    case CompareCode.ne: return f32x4.ne(x, y);
    case CompareCode.lt: return f32x4.lt(x, y);
    case CompareCode.le: return f32x4.le(x, y);
    case CompareCode.gt: return f32x4.gt(x, y);
    default: return f32x4.ge(x, y);
  }
}

function scalarCompare<T>(op: i32, x: T, y: T): bool {
  switch (op) {
    case CompareCode.eq: return x == y;
    case CompareCode.ne: return x != y;
    case CompareCode.lt: return x < y;
    case CompareCode.le: return x <= y;
    case CompareCode.gt: return x > y;
    default: return x >= y;
  }
}

/** Sixteen i32 lane masks (all ones or zero) as sixteen bytes 1/0. */
function maskBytes(m0: v128, m1: v128, m2: v128, m3: v128): v128 {
  const bytes = i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(m0, m1), i16x8.narrow_i32x4_s(m2, m3));
  return v128.and(bytes, i8x16.splat(1));
}

export function compareBlock<T>(
  op: i32, a: usize, aOuter: i32, aInner: i32, b: usize, bOuter: i32, bInner: i32,
  out: usize, outer: i32, inner: i32,
): void {
  const aStep = <usize>aInner << 4;
  const bStep = <usize>bInner << 4;
  for (let o = 0; o < outer; o++) {
    let pa = a + (<usize>(o * aOuter) << 2);
    let pb = b + (<usize>(o * bOuter) << 2);
    let po = out + <usize>(o * inner);
    let i = 0;
    for (; i + 16 <= inner; i += 16) {
      const m0 = vectorCompare<T>(op, loadLanes(pa, aInner), loadLanes(pb, bInner));
      const m1 = vectorCompare<T>(op, loadLanes(pa + aStep, aInner), loadLanes(pb + bStep, bInner));
      const m2 = vectorCompare<T>(op, loadLanes(pa + 2 * aStep, aInner), loadLanes(pb + 2 * bStep, bInner));
      const m3 = vectorCompare<T>(op, loadLanes(pa + 3 * aStep, aInner), loadLanes(pb + 3 * bStep, bInner));
      v128.store(po, maskBytes(m0, m1, m2, m3));
      pa += aStep << 2;
      pb += bStep << 2;
      po += 16;
    }
    for (; i < inner; i++) {
      store<u8>(po, scalarCompare<T>(op, load<T>(pa), load<T>(pb)) ? 1 : 0);
      pa += <usize>aInner << 2;
      pb += <usize>bInner << 2;
      po += 1;
    }
  }
}

/** Four condition bytes (or one repeated, for a broadcast condition) as i32 lane masks. */
function conditionMask(c: usize, cInner: i32): v128 {
  const bytes = cInner == 0 ? i8x16.splat(load<u8>(c)) : v128.load32_zero(c);
  return i32x4.ne(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(bytes)), i32x4.splat(0));
}

/**
 * out = condition ? a : b over [outer, inner] blocks of 4-byte (float32/int32) or 1-byte (bool)
 * elements; `elemBytes` is 4 or 1, strides are in elements.
 */
export function whereBlock(
  elemBytes: i32, c: usize, cOuter: i32, cInner: i32, a: usize, aOuter: i32, aInner: i32,
  b: usize, bOuter: i32, bInner: i32, out: usize, outer: i32, inner: i32,
): void {
  const shift = elemBytes == 4 ? 2 : 0;
  for (let o = 0; o < outer; o++) {
    let pc = c + <usize>(o * cOuter);
    let pa = a + (<usize>(o * aOuter) << shift);
    let pb = b + (<usize>(o * bOuter) << shift);
    let po = out + (<usize>(o * inner) << shift);
    let i = 0;
    if (elemBytes == 4) {
      for (; i + 4 <= inner; i += 4) {
        v128.store(po, v128.bitselect(loadLanes(pa, aInner), loadLanes(pb, bInner), conditionMask(pc, cInner)));
        pc += <usize>(cInner << 2);
        pa += <usize>aInner << 4;
        pb += <usize>bInner << 4;
        po += 16;
      }
      for (; i < inner; i++) {
        store<i32>(po, load<u8>(pc) != 0 ? load<i32>(pa) : load<i32>(pb));
        pc += <usize>cInner;
        pa += <usize>aInner << 2;
        pb += <usize>bInner << 2;
        po += 4;
      }
    } else {
      for (; i < inner; i++) {
        store<u8>(po, load<u8>(pc) != 0 ? load<u8>(pa) : load<u8>(pb));
        pc += <usize>cInner;
        pa += <usize>aInner;
        pb += <usize>bInner;
        po += 1;
      }
    }
  }
}
