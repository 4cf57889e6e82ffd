/**
 * Freed typed arrays kept for reuse, by type and length. A training loop frees and asks for the
 * same sizes every step, and a fresh typed array costs more than the kernel that fills it at every
 * size: a multi-megabyte one has its pages faulted in and zeroed (~5 ms for the 5.5 MB output of an
 * MNIST pooling layer, against 0.6 ms for the pooling), and a small one is allocated off V8's heap
 * with its backing store registered (~3 µs for 2 KiB, against 1 µs for an elementwise kernel on it).
 */
type Recyclable = Float32Array | Int32Array | Uint8Array;
type Constructor<T extends Recyclable> = new (length: number) => T;

/** Arrays kept per type and length: a step uses a handful of each size; more are garbage. */
const PER_LENGTH = 64;

export class Recycler {
  private readonly free = new Map<Constructor<Recyclable>, Map<number, Recyclable[]>>();
  private kept = 0;

  constructor(private readonly capacity: number) {}

  /** Bytes held for reuse. */
  get bytes(): number {
    return this.kept;
  }

  /** An array of `length` elements: recycled (zeroed when `zero`) or new (always zero). */
  take<T extends Recyclable>(type: Constructor<T>, length: number, zero: boolean): T {
    const found = this.free.get(type)?.get(length)?.pop() as T | undefined;
    if (!found) return new type(length);
    this.kept -= found.byteLength;
    if (zero) found.fill(0);
    return found;
  }

  /** Keeps a freed array for reuse while the capacity allows. */
  give(values: ArrayBufferView): void {
    if (this.kept + values.byteLength > this.capacity) return;
    if (!(values instanceof Float32Array || values instanceof Int32Array || values instanceof Uint8Array)) return;
    // A view into a larger buffer must not be handed out: its buffer is shared.
    if (values.byteOffset !== 0 || values.buffer.byteLength !== values.byteLength) return;
    const type = values.constructor as Constructor<Recyclable>;
    let byLength = this.free.get(type);
    if (!byLength) this.free.set(type, (byLength = new Map()));
    const list = byLength.get(values.length);
    if (!list) byLength.set(values.length, [values]);
    else if (list.length < PER_LENGTH) list.push(values);
    else return;
    this.kept += values.byteLength;
  }
}
