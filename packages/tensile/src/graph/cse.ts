/**
 * Common-subexpression elimination: a node that repeats an earlier node's kernel on the same values
 * with the same attributes reads that node's results instead (autograd and the optimizer make the
 * same scalar and the same transposed weight more than once). Uploads and nodes whose attributes are
 * updated between calls (Adam's scalars) are never merged.
 */
import { type Arg, type Graph, type GraphNode, Use, mapUses } from './ir.js';

function keyOf(arg: Arg): string | null {
  if (arg instanceof Use) return `%${arg.value}:${arg.dtype}[${arg.shape.join(',')}]`;
  if (ArrayBuffer.isView(arg)) return null;
  if (Array.isArray(arg)) {
    const parts = (arg as readonly Arg[]).map(keyOf);
    return parts.includes(null) ? null : `[${parts.join(',')}]`;
  }
  if (arg !== null && typeof arg === 'object') {
    const parts = Object.entries(arg).map(([k, v]) => [k, keyOf(v)] as const);
    return parts.some(([, v]) => v === null) ? null : `{${parts.map(([k, v]) => `${k}:${v}`).join(',')}}`;
  }
  return arg === undefined ? 'undefined' : JSON.stringify(arg);
}

export function eliminateCommonSubexpressions(graph: Graph): Graph {
  const replaced = new Map<number, number>();
  const read = (u: Use): Use => {
    const to = replaced.get(u.value);
    return to === undefined ? u : new Use(to, u.shape, u.dtype);
  };
  const seen = new Map<string, readonly number[]>();
  const nodes: GraphNode[] = [];
  for (const original of graph.nodes) {
    const node = { ...original, args: original.args.map((a) => mapUses(a, read)) };
    const key = node.op === 'upload' || node.op === 'adamStep' || node.op === 'adamStepInPlace' ? null : keyOf(node.args);
    const earlier = key === null ? undefined : seen.get(`${node.op}(${key})`);
    if (earlier) {
      node.outputs.forEach((o, k) => replaced.set(o, earlier[k]!));
      continue;
    }
    if (key !== null) seen.set(`${node.op}(${key})`, node.outputs);
    nodes.push(node);
  }
  return {
    ...graph,
    nodes,
    outputs: graph.outputs.map(read),
    stateWrites: graph.stateWrites.map((w) => ({ tensor: w.tensor, value: replaced.get(w.value) ?? w.value })),
  };
}
