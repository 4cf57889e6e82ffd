/**
 * Runs a graph: each node's kernel on the backend, buffers freed as the memory plan says, results
 * wrapped as tensors and state tensors re-pointed at their new values. No op layer runs: no checks,
 * no autograd records, no tensor objects for intermediates.
 */
import type { Backend, DataId } from '../backend/contract.js';
import { Tensor } from '../tensor/tensor.js';
import { wrap } from '../tensor/wrap.js';
import { type Arg, type Graph, type KernelName, Use } from './ir.js';
import { callKernel } from './kernels.js';
import type { ValueGuard } from './trace.js';
import { unfuse } from './fuse.js';
import { type MemoryPlan, planMemory } from './memory-plan.js';

type Env = (DataId | undefined)[];

/** Builds the kernel arguments of one call from the values in `env`. */
function argBuilder(arg: Arg): (env: Env) => unknown {
  if (arg instanceof Use) {
    const { value, shape, dtype } = arg;
    return (env) => ({ id: env[value]!, shape, dtype });
  }
  if (Array.isArray(arg)) {
    const parts = (arg as readonly Arg[]).map(argBuilder);
    return (env) => parts.map((p) => p(env));
  }
  if (arg !== null && typeof arg === 'object' && !ArrayBuffer.isView(arg) && Object.values(arg).some((a) => a instanceof Use)) {
    const parts = Object.entries(arg).map(([k, a]) => [k, argBuilder(a)] as const);
    return (env) => Object.fromEntries(parts.map(([k, p]) => [k, p(env)]));
  }
  return () => arg;
}

interface Step {
  readonly op: KernelName;
  readonly args: readonly ((env: Env) => unknown)[];
  readonly outputs: readonly number[];
  readonly free: readonly number[];
}

export class Executable {
  readonly plan: MemoryPlan;
  private readonly steps: Step[];
  /** Values read from tensors at each call: inputs by argument index, state and constants by their tensor. */
  private readonly sources: { value: number; input: number; tensor: Tensor | null }[] = [];

  readonly graph: Graph;

  constructor(
    graph: Graph,
    readonly backend: Backend,
    private readonly replayHooks: readonly (() => void)[],
    private readonly guards: readonly ValueGuard[],
  ) {
    this.graph = graph;
    // The reference backend (the spec) runs fused nodes as the kernels they replace.
    if (!backend.fusedElementwise && graph.nodes.some((n) => n.body)) {
      graph = unfuse(graph);
      this.graph = graph;
    }
    this.plan = planMemory(graph);
    this.steps = graph.nodes.map((node, i) => {
      const make = node.make;
      return { op: node.op, args: make ? [() => make()] : node.args.map(argBuilder), outputs: node.outputs, free: this.plan.freeAfter[i]! };
    });
    graph.values.forEach((v, value) => {
      const s = v.source;
      if (s.kind === 'input') this.sources.push({ value, input: s.index, tensor: null });
      else if (s.kind === 'state' || s.kind === 'constant') this.sources.push({ value, input: -1, tensor: s.tensor });
    });
  }

  /** One call: the graph's outputs as new tensors; state tensors hold their updated values afterwards. */
  run(inputs: readonly Tensor[]): Tensor[] {
    const env: Env = new Array<DataId | undefined>(this.graph.values.length);
    for (const s of this.sources) env[s.value] = s.tensor ? s.tensor.id : inputs[s.input]!.id;
    const backend = this.backend;
    for (const { use, check } of this.guards) check(backend.readSync({ id: env[use.value]!, shape: use.shape, dtype: use.dtype }));
    for (const hook of this.replayHooks) hook();
    for (const step of this.steps) {
      const ids = callKernel(backend, step.op, step.args.map((a) => a(env)));
      for (let i = 0; i < ids.length; i++) env[step.outputs[i]!] = ids[i];
      for (const v of step.free) {
        backend.free(env[v]!);
        env[v] = undefined;
      }
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
