/**
 * Runs a graph: each node's kernel on the backend, buffers freed as the memory plan says, results
 * wrapped as tensors and state tensors re-pointed at their new values. No op layer runs: no checks,
 * no autograd records, no tensor objects for intermediates.
 */
import type { Backend, DataId, ResultArena } from '../backend/contract.js';
import { Tensor } from '../tensor/tensor.js';
import { stridesOf } from '../tensor/shape.js';
import { wrap } from '../tensor/wrap.js';
import { type Arg, type Graph, Use } from './ir.js';
import { kernelOf } from './kernels.js';
import { overwrittenTensors } from './in-place.js';
import type { ValueGuard } from './trace.js';
import { unfuse } from './fuse.js';
import { type MemoryPlan, planMemory } from './memory-plan.js';

type Env = (DataId | undefined)[];

/** A kernel argument's buffer, its id set from the environment before each call. */
interface Ref {
  id: DataId | undefined;
  readonly shape: Use['shape'];
  readonly dtype: Use['dtype'];
}

/**
 * The kernel argument as it is passed at every call, built once: each use becomes a Ref listed in
 * `refs` with its value, which the run points at that call's buffer. Objects without uses are kept
 * as they are (Adam's per-step scalars, which replay hooks update in place).
 */
function argTemplate(arg: Arg, refs: [Ref, number][]): unknown {
  if (arg instanceof Use) {
    const ref: Ref = { id: undefined, shape: arg.shape, dtype: arg.dtype };
    refs.push([ref, arg.value]);
    return ref;
  }
  if (Array.isArray(arg)) return (arg as readonly Arg[]).map((a) => argTemplate(a, refs));
  if (arg !== null && typeof arg === 'object' && !ArrayBuffer.isView(arg) && Object.values(arg).some((a) => a instanceof Use)) {
    return Object.fromEntries(Object.entries(arg).map(([k, a]) => [k, argTemplate(a, refs)]));
  }
  return arg;
}

interface Step {
  readonly kernel: (args: unknown[]) => DataId[];
  /** The argument list passed at every call: refs updated in place, an upload's values made afresh by `make`. */
  readonly args: unknown[];
  readonly refs: readonly [Ref, number][];
  readonly make: (() => unknown) | undefined;
  readonly outputs: readonly number[];
  readonly free: readonly number[];
  /** Where the result goes in the arena (-1: the backend allocates it) and its bytes there. */
  readonly offset: number;
  readonly bytes: number;
}

/** Arenas of executables the garbage collector took without dispose(). */
const arenas = new FinalizationRegistry<ResultArena>((arena) => arena.dispose());

export class Executable {
  readonly plan: MemoryPlan;
  private readonly steps: Step[];
  /** Values read from tensors at each call: inputs by argument index, state and constants by their tensor. */
  private readonly sources: { value: number; input: number; tensor: Tensor | null }[] = [];
  /** State tensors the graph writes in place. */
  private readonly overwritten: readonly Tensor[];
  /** The memory of the results the plan places (null on backends without arenas). */
  private arena: ResultArena | null;

  readonly graph: Graph;

  constructor(
    graph: Graph,
    readonly backend: Backend,
    private readonly replayHooks: readonly (() => void)[],
    private readonly guards: readonly ValueGuard[],
  ) {
    this.graph = graph;
    // A backend without a fused node's kernel (the reference backend, the spec) runs the kernels it replaces.
    graph = unfuse(graph, backend);
    this.graph = graph;
    this.plan = planMemory(graph);
    this.overwritten = overwrittenTensors(graph);
    this.arena = backend.resultArena && this.plan.arenaBytes > 0 ? backend.resultArena(this.plan.arenaBytes) : null;
    if (this.arena) arenas.register(this, this.arena, this);
    this.steps = graph.nodes.map((node, i) => {
      const refs: [Ref, number][] = [];
      const args = node.args.map((a) => argTemplate(a, refs));
      return { kernel: kernelOf(backend, node.op), args, refs, make: node.make, outputs: node.outputs, free: this.plan.freeAfter[i]!, offset: this.plan.offsets[i]!, bytes: this.plan.slotBytes[i]! };
    });
    graph.values.forEach((v, value) => {
      const s = v.source;
      if (s.kind === 'input') this.sources.push({ value, input: s.index, tensor: null });
      else if (s.kind === 'state' || s.kind === 'constant') this.sources.push({ value, input: -1, tensor: s.tensor });
    });
  }

  /** Returns the arena's memory to the backend; later calls allocate their results one by one. */
  dispose(): void {
    if (!this.arena) return;
    arenas.unregister(this);
    this.arena.dispose();
    this.arena = null;
  }

  /** One call: the graph's outputs as new tensors; state tensors hold their updated values afterwards. */
  run(inputs: readonly Tensor[]): Tensor[] {
    // A buffer the graph overwrites must be its tensor's alone: where other tensors view it, the tensor takes a copy first (as assign() would leave them the old values).
    for (const t of this.overwritten) if (t.storage.shared) unshare(t);
    const env: Env = new Array<DataId | undefined>(this.graph.values.length);
    for (const s of this.sources) env[s.value] = s.tensor ? s.tensor.id : inputs[s.input]!.id;
    const { backend, arena } = this;
    for (const { use, check } of this.guards) check(backend.readSync({ id: env[use.value]!, shape: use.shape, dtype: use.dtype }));
    for (const hook of this.replayHooks) hook();
    try {
      for (const step of this.steps) {
        const { refs, outputs, free } = step;
        for (let r = 0; r < refs.length; r++) refs[r]![0].id = env[refs[r]![1]];
        if (step.make) step.args[0] = step.make();
        // A kernel makes its result with one allocation, which takes the placement; none is left for a step without one.
        if (arena !== null) {
          if (step.offset >= 0) arena.place(step.offset, step.bytes);
          else arena.unplace();
        }
        const ids = step.kernel(step.args);
        for (let i = 0; i < ids.length; i++) env[outputs[i]!] = ids[i];
        for (let f = 0; f < free.length; f++) {
          backend.free(env[free[f]!]!);
          env[free[f]!] = undefined;
        }
      }
    } finally {
      // No placement outlives the call.
      arena?.unplace();
    }
    // One tensor per made value; more tensors of the same value share its storage.
    const made = new Map<number, Tensor>();
    const tensorOf = (u: Use): Tensor => {
      const source = this.graph.values[u.value]!.source;
      const owner = made.get(u.value) ?? (source.kind === 'state' || source.kind === 'constant' ? source.tensor : source.kind === 'input' ? inputs[source.index]! : null);
      if (owner) return new Tensor(owner.shareStorage(), u.shape, u.dtype);
      const t = wrap(backend, env[u.value]!, u.shape, u.dtype);
      made.set(u.value, t);
      return t;
    };
    const results = this.graph.outputs.map(tensorOf);
    const written = this.graph.stateWrites.map((w) => {
      const t = tensorOf(new Use(w.value, w.tensor.shape, w.tensor.dtype));
      w.tensor.assign(t);
      return t;
    });
    for (const t of written) if (!results.includes(t)) t.dispose();
    return results;
  }
}

/** Gives `t` a copy of its buffer of its own, leaving the old one to the tensors that share it. */
function unshare(t: Tensor): void {
  const backend = t.storage.backend;
  const copy = wrap(backend, backend.stridedCopy(t, t.shape, stridesOf(t.shape), 0), t.shape, t.dtype);
  t.assign(copy);
  copy.dispose();
}
