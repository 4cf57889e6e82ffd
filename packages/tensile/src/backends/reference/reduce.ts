/** Reductions of the reference backend over the middle axis of [outer, reduceSize, inner]. */
import type { ReduceOp } from '../../backend/contract.js';
import type { DType, TypedArray } from '../../tensor/dtype.js';
import { allocArray } from '../../tensor/dtype.js';

interface Reducer {
  readonly init: number;
  /** Combines the running value with element v at position r; returns the new running value. */
  step(acc: number, v: number): number;
}

const REDUCERS: Record<Exclude<ReduceOp, 'argmax' | 'argmin'>, Reducer> = {
  sum: { init: 0, step: (acc, v) => acc + v },
  prod: { init: 1, step: (acc, v) => acc * v },
  // NaN propagates through max/min as in numpy.
  max: { init: -Infinity, step: (acc, v) => (v > acc || Number.isNaN(v) ? v : acc) },
  min: { init: Infinity, step: (acc, v) => (v < acc || Number.isNaN(v) ? v : acc) },
  all: { init: 1, step: (acc, v) => (acc && v ? 1 : 0) },
  any: { init: 0, step: (acc, v) => (acc || v ? 1 : 0) },
};

export function reduce(op: ReduceOp, x: TypedArray, outer: number, size: number, inner: number, outDType: DType): TypedArray {
  const out = allocArray(outDType, outer * inner);
  if (op === 'argmax' || op === 'argmin') {
    const better = op === 'argmax' ? (v: number, b: number) => v > b : (v: number, b: number) => v < b;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let best = x[o * size * inner + i]!;
        let at = 0;
        for (let r = 1; r < size && !Number.isNaN(best); r++) {
          const v = x[(o * size + r) * inner + i]!;
          if (better(v, best) || Number.isNaN(v)) {
            best = v;
            at = r;
          }
        }
        out[o * inner + i] = at;
      }
    }
    return out;
  }
  const { init, step } = REDUCERS[op];
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      let acc = init;
      const base = o * size;
      for (let r = 0; r < size; r++) acc = step(acc, x[base + r]!);
      out[o] = acc;
    }
    return out;
  }
  // Accumulate whole rows so memory is read in order.
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    acc.fill(init);
    for (let r = 0; r < size; r++) {
      const base = (o * size + r) * inner;
      for (let i = 0; i < inner; i++) acc[i] = step(acc[i]!, x[base + i]!);
    }
    out.set(acc, o * inner);
  }
  return out;
}
