/** Dead-code elimination: drops nodes none of whose results reach an output or a state write (in-place updates stay). */
import { type Graph, type GraphNode, nodeUses } from './ir.js';

export function eliminateDeadCode(graph: Graph): Graph {
  const live = new Set<number>([...graph.outputs.map((u) => u.value), ...graph.stateWrites.map((w) => w.value)]);
  const kept: GraphNode[] = [];
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const node = graph.nodes[i]!;
    if (!node.inPlace && !node.outputs.some((o) => live.has(o))) continue;
    kept.push(node);
    for (const u of nodeUses(node)) live.add(u.value);
  }
  return { ...graph, nodes: kept.reverse() };
}
