// Float32 sum/max/min over x viewed as [outer, size, inner] → [outer, inner].
import { minI32 } from './simd';

/** Reductions, named as the backend contract's ReduceOp. */
export enum ReduceCode { sum, max, min }

function vectorCombine(op: i32, x: v128, y: v128): v128 {
  switch (op) {
    case ReduceCode.sum: return f32x4.add(x, y);
    case ReduceCode.max: return f32x4.max(x, y);
    default: return f32x4.min(x, y);
  }
}

function scalarCombine(op: i32, x: f32, y: f32): f32 {
  switch (op) {
    case ReduceCode.sum: return x + y;
    case ReduceCode.max: return max<f32>(x, y);
    default: return min<f32>(x, y);
  }
}

function identity(op: i32): f32 {
  switch (op) {
    case ReduceCode.sum: return 0;
    case ReduceCode.max: return -Infinity;
    default: return Infinity;
  }
}

/** One contiguous run: four lanes × two accumulators, folded at the end. */
function reduceRun(op: i32, x: usize, n: i32): f32 {
  const start = f32x4.splat(identity(op));
  let acc0 = start;
  let acc1 = start;
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const at = x + (<usize>i << 2);
    acc0 = vectorCombine(op, acc0, v128.load(at));
    acc1 = vectorCombine(op, acc1, v128.load(at, 16));
  }
  const acc = vectorCombine(op, acc0, acc1);
  let result = scalarCombine(op,
    scalarCombine(op, f32x4.extract_lane(acc, 0), f32x4.extract_lane(acc, 1)),
    scalarCombine(op, f32x4.extract_lane(acc, 2), f32x4.extract_lane(acc, 3)));
  for (; i < n; i++) result = scalarCombine(op, result, load<f32>(x + (<usize>i << 2)));
  return result;
}

export function reduceF32(op: i32, x: usize, out: usize, outer: i32, size: i32, inner: i32): void {
  if (inner == 1) {
    for (let o = 0; o < outer; o++) {
      store<f32>(out + (<usize>o << 2), reduceRun(op, x + (<usize>(o * size) << 2), size));
    }
    return;
  }
  const rowBytes = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    const dst = out + <usize>o * rowBytes;
    const base = x + <usize>(o * size) * rowBytes;
    // Column blocks keep the destination run in L1 while all `size` rows stream past it.
    for (let j0 = 0; j0 < inner; j0 += 1024) {
      const width = minI32(1024, inner - j0);
      const blockDst = dst + (<usize>j0 << 2);
      const first = identity(op);
      for (let j = 0; j < width; j++) store<f32>(blockDst + (<usize>j << 2), first);
      for (let r = 0; r < size; r++) {
        const src = base + <usize>r * rowBytes + (<usize>j0 << 2);
        let j = 0;
        for (; j + 4 <= width; j += 4) {
          const at = blockDst + (<usize>j << 2);
          v128.store(at, vectorCombine(op, v128.load(at), v128.load(src + (<usize>j << 2))));
        }
        for (; j < width; j++) {
          const at = blockDst + (<usize>j << 2);
          store<f32>(at, scalarCombine(op, load<f32>(at), load<f32>(src + (<usize>j << 2))));
        }
      }
    }
  }
}

/**
 * int32 positions of the first maximum (or minimum) along `size` of x viewed as [outer, size, inner];
 * the first NaN wins, as in the reference. `best` is scratch for `inner` floats.
 */
export function argReduceF32(isMax: bool, x: usize, out: usize, outer: i32, size: i32, inner: i32, best: usize): void {
  const rowBytes = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    const base = x + <usize>(o * size) * rowBytes;
    const dst = out + <usize>o * rowBytes;
    memory.copy(best, base, rowBytes);
    memory.fill(dst, 0, rowBytes);
    for (let r = 1; r < size; r++) {
      const row = base + <usize>r * rowBytes;
      for (let j = 0; j < inner; j++) {
        const at = <usize>j << 2;
        const b = load<f32>(best + at);
        const v = load<f32>(row + at);
        if (b == b && (v != v || (isMax ? v > b : v < b))) {
          store<f32>(best + at, v);
          store<i32>(dst + at, r);
        }
      }
    }
  }
}
