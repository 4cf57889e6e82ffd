/**
 * The Float64Array descriptors handed to the kernels (shapes, strides, scalars), kept and refilled
 * at each call. A fresh small typed array lives on V8's heap, and the first time Node-API hands out
 * its data V8 moves it off the heap — an allocation and a copy, ~1 µs, as much as a small kernel's
 * whole work. The kernels read their descriptors before returning, so one array per length and
 * per argument position serves every call.
 */
export class Descriptors {
  private readonly kept = new Map<number, Float64Array>();

  /** The array for argument `position` (0–7: a call's several descriptors use distinct positions) holding `values`. */
  of(position: number, values: ArrayLike<number>): Float64Array {
    const key = values.length * 8 + position;
    let out = this.kept.get(key);
    if (!out) this.kept.set(key, (out = new Float64Array(values.length)));
    for (let i = 0; i < values.length; i++) out[i] = values[i]!;
    return out;
  }
}
