/**
 * In-place updates: an Adam step whose parameter and slots are state the graph writes back, and
 * whose old values nothing reads after it, writes the new values into those buffers themselves
 * (`adamStepInPlace`) instead of three fresh ones the state tensors are re-pointed at afterwards:
 * no allocation, no state write. Runs last, on the final node order, and only for backends that
 * have the kernel.
 */
import type { Tensor } from '../tensor/tensor.js';
import { type Graph, type GraphNode, type StateWrite, type Use, nodeUses } from './ir.js';

export function updateInPlace(graph: Graph): Graph {
  const lastRead = new Map<number, number>();
  graph.nodes.forEach((node, i) => {
    for (const u of nodeUses(node)) lastRead.set(u.value, i);
  });
  const returned = new Set(graph.outputs.map((u) => u.value));
  const writes = new Map(graph.stateWrites.map((w) => [w.value, w]));
  const done = new Set<StateWrite>();

  /** The state write that stores output k of `node` into the tensor `target` reads, if the step may overwrite that tensor's buffer. */
  const overwritable = (node: GraphNode, at: number, target: Use, k: number): StateWrite | null => {
    const source = graph.values[target.value]!.source;
    const out = node.outputs[k]!;
    const write = writes.get(out);
    const legal = source.kind === 'state' && write?.tensor === source.tensor && lastRead.get(target.value) === at && !returned.has(target.value) && !returned.has(out) && !lastRead.has(out);
    return legal ? write : null;
  };

  const nodes = graph.nodes.map((node, at) => {
    if (node.op !== 'adamStep') return node;
    const [param, grad, m, v] = node.args as readonly [Use, Use, Use, Use];
    const targets = [param, m, v];
    if (new Set([...targets, grad].map((u) => u.value)).size !== 4) return node;
    const stored = targets.map((u, k) => overwritable(node, at, u, k));
    if (stored.some((w) => w === null)) return node;
    for (const w of stored) done.add(w!);
    return { op: 'adamStepInPlace', args: node.args, outputs: [], inPlace: stored.map((w) => w!.tensor) } satisfies GraphNode;
  });
  return { ...graph, nodes, stateWrites: graph.stateWrites.filter((w) => !done.has(w)) };
}

/** The state tensors whose buffers the graph's in-place nodes overwrite. */
export function overwrittenTensors(graph: Graph): Tensor[] {
  return graph.nodes.flatMap((n) => n.inPlace ?? []);
}
