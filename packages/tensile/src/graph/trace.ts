/**
 * Tracing: one eager run of a function, watched through the backend's recording view. Every kernel
 * call becomes a node; every buffer the run read but did not make becomes an input (the function's
 * arguments) or state (tensors it read: parameters, optimizer slots); every in-place assignment
 * becomes a state write. The run itself is the first call's result, so that call equals eager.
 */
import type { Backend, DataId, TensorRef, TypedArray } from '../backend/contract.js';
import type { TraceRecorder } from '../backend/trace-hook.js';
import { TraceError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import type { Storage } from '../tensor/storage.js';
import { formatShape } from '../tensor/shape.js';
import { type Arg, type Graph, type KernelName, Use, redirect } from './ir.js';
import { KERNELS, LIST_RESULTS, OPTIONAL_KERNELS, callKernel, resultTypes } from './kernels.js';

function isRef(value: unknown): value is TensorRef {
  return value !== null && typeof value === 'object' && 'id' in value && 'shape' in value && 'dtype' in value;
}

/** A check of an input's (or state's) values, run before each call as the eager op would run it. */
export interface ValueGuard {
  readonly use: Use;
  readonly check: (values: TypedArray) => void;
}

export class Trace implements TraceRecorder {
  readonly graph: Graph = { nodes: [], values: [], outputs: [], stateWrites: [] };
  readonly replayHooks: (() => void)[] = [];
  private readonly valueOf = new Map<DataId, number>();
  private realBackend: Backend | null = null;
  private viewBackend: Backend | null = null;
  /** Each assigned tensor with the storage it held before its first assignment in the trace. */
  private readonly assigned = new Map<Tensor, Storage>();
  private pendingHostSource: (() => TypedArray) | null = null;
  private readonly pendingGuards: { id: DataId; tensor: Tensor; check: (values: TypedArray) => void }[] = [];
  /** Value checks to repeat before every call, on inputs and state. */
  readonly guards: ValueGuard[] = [];

  constructor(
    private readonly name: string,
    inputs: readonly Tensor[],
  ) {
    inputs.forEach((t, index) => {
      if (!this.valueOf.has(t.storage.id)) this.valueOf.set(t.storage.id, this.addValue(t.shape, t.dtype, { kind: 'input', index }));
    });
  }

  /** The backend the graph runs on (null when it made no kernel call). */
  get backend(): Backend | null {
    return this.realBackend;
  }

  view(real: Backend): Backend {
    if (real === this.viewBackend) return real;
    if (this.realBackend === null) {
      this.realBackend = real;
      this.viewBackend = this.makeView(real);
    } else if (real !== this.realBackend) {
      this.refuse(`to('${real.name}')`, `uses a second backend ('${real.name}' beside '${this.realBackend.name}'); a compiled graph runs on one backend`);
    }
    return this.viewBackend!;
  }

  real(backend: Backend): Backend {
    return backend === this.viewBackend ? this.realBackend! : backend;
  }

  refuse(op: string, why: string): never {
    throw new TraceError(`jit(${this.name}): ${op} ${why}`);
  }

  retargeted(owner: object, from: object): void {
    // The storage a tensor held before is kept until close(): freed, its buffer could come back from a
    // backend that reuses buffers as another value's output, and finish() would take that value for
    // the tensor's initial one.
    if (owner instanceof Tensor && !this.assigned.has(owner)) this.assigned.set(owner, (from as Storage).retain());
  }

  /** Lets go of the storages kept for finish(), whether the trace finished or failed. */
  close(): void {
    for (const before of this.assigned.values()) before.release(true);
    this.assigned.clear();
  }

  guardValues(tensor: object, check: (values: TypedArray) => void): void {
    const t = tensor as Tensor;
    check(t.storage.backend.readSync(t));
    this.pendingGuards.push({ id: t.storage.id, tensor: t, check });
  }

  onReplay(hook: () => void): void {
    this.replayHooks.push(hook);
  }

  uploadMadeBy(make: () => TypedArray): void {
    this.pendingHostSource = make;
  }

  private addValue(shape: readonly number[], dtype: Use['dtype'], source: Graph['values'][number]['source']): number {
    this.graph.values.push({ shape, dtype, source });
    return this.graph.values.length - 1;
  }

  /** The value a buffer argument holds; a buffer first seen here is state, read from its tensor at every call. */
  private use(ref: TensorRef, op: KernelName): Use {
    let value = this.valueOf.get(ref.id);
    if (value === undefined) {
      if (!(ref instanceof Tensor)) throw new TraceError(`jit(${this.name}): ${op} was given a buffer ${formatShape(ref.shape)} that belongs to no tensor`);
      value = this.addValue(ref.shape, ref.dtype, { kind: 'state', tensor: ref });
      this.valueOf.set(ref.id, value);
    }
    return new Use(value, ref.shape, ref.dtype);
  }

  private toArg(value: unknown, op: KernelName): Arg {
    if (isRef(value)) return this.use(value, op);
    if (Array.isArray(value)) return value.map((v) => this.toArg(v, op));
    if (ArrayBuffer.isView(value)) return value as unknown as Arg;
    if (value !== null && typeof value === 'object' && Object.values(value).some(isRef)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.toArg(v, op)]));
    }
    // Attribute objects are kept by reference: Adam's per-step scalars are updated in place by replay hooks.
    return value as Arg;
  }

  private record(op: KernelName, args: readonly unknown[]): DataId[] {
    const real = this.realBackend!;
    let recorded = args;
    let make: (() => TypedArray) | undefined;
    if (op === 'upload') {
      // The caller may reuse its array; the graph keeps its own copy (or the maker of fresh values).
      recorded = [(args[0] as TypedArray).slice()];
      make = this.pendingHostSource ?? undefined;
      this.pendingHostSource = null;
    }
    const node = { op, args: recorded.map((a) => this.toArg(a, op)), outputs: [] as number[], ...(make && { make }) };
    const ids = callKernel(real, op, args);
    const types = resultTypes(op, args);
    ids.forEach((id, i) => {
      const value = this.addValue(types[i]!.shape, types[i]!.dtype, { kind: 'node' });
      this.valueOf.set(id, value);
      node.outputs.push(value);
    });
    this.graph.nodes.push(node);
    return ids;
  }

  private makeView(real: Backend): Backend {
    const view: Record<string, unknown> = {
      name: real.name,
      dtypes: real.dtypes,
      externalMemory: real.externalMemory,
      whenReady: () => real.whenReady?.(),
      readSync: () => this.refuse('readSync', 'reads tensor values, which a compiled graph cannot repeat'),
      read: () => this.refuse('read', 'reads tensor values, which a compiled graph cannot repeat'),
      free: (id: DataId) => real.free(id),
      memory: () => real.memory(),
    };
    for (const op of KERNELS) {
      if (OPTIONAL_KERNELS.has(op) && !real[op]) continue;
      view[op] = (...args: unknown[]): unknown => {
        const ids = this.record(op, args);
        return LIST_RESULTS.has(op) ? ids : op === 'topk' ? { values: ids[0], indices: ids[1] } : ids[0];
      };
    }
    return view as unknown as Backend;
  }

  /**
   * Closes the trace: the results become the graph's outputs; tensors assigned during the run and
   * still alive become state, read before the call and written after it. A state tensor created in
   * the run (an optimizer slot made on the first step) is read from the tensor on later calls, not
   * made again.
   */
  finish(results: readonly Tensor[]): Graph {
    const g = this.graph;
    for (const [tensor, before] of this.assigned) {
      if (tensor.isDisposed) continue;
      const initial = this.valueOf.get(before.id);
      let stateValue = initial;
      if (initial !== undefined) {
        const info = g.values[initial]!;
        if (info.source.kind === 'node') {
          stateValue = this.addValue(tensor.shape, tensor.dtype, { kind: 'state', tensor });
          redirect(g, initial, stateValue);
        } else if (info.source.kind === 'state') {
          info.source = { kind: 'state', tensor };
        }
      }
      const final = this.valueOf.get(tensor.storage.id);
      if (final === undefined) this.refuse('assign()', `gave a tensor ${formatShape(tensor.shape)} a value the traced function did not compute or read`);
      if (final !== stateValue) g.stateWrites.push({ tensor, value: final });
    }
    for (const { id, tensor, check } of this.pendingGuards) {
      // Values made inside the graph come from its kernels (argmax, arange): only outside data needs the check again.
      const value = this.valueOf.get(id);
      const kind = value === undefined ? 'none' : g.values[value]!.source.kind;
      if (kind === 'input' || kind === 'state') this.guards.push({ use: new Use(value!, tensor.shape, tensor.dtype), check });
    }
    g.outputs = results.map((t) => {
      let value = this.valueOf.get(t.storage.id);
      if (value === undefined) value = this.addValue(t.shape, t.dtype, { kind: 'state', tensor: t });
      return new Use(value, t.shape, t.dtype);
    });
    return g;
  }
}
