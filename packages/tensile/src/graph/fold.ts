/**
 * Constant folding: nodes that read only constants (scalar fills, uploaded tables, and what is
 * computed from them alone) run once, when the graph is compiled; the graph holds their results.
 * Uploads of values made afresh per call (random numbers) are not constants.
 */
import type { Backend } from '../backend/contract.js';
import { wrap } from '../tensor/wrap.js';
import { type Graph, type GraphNode, Use, mapUses, nodeUses } from './ir.js';
import { callKernel } from './kernels.js';

export function foldConstants(graph: Graph, backend: Backend): Graph {
  const nodes: GraphNode[] = [];
  graph.nodes.forEach((node) => {
    const uses = nodeUses(node);
    const foldable = !node.make && node.op !== 'adamStep' && uses.every((u) => graph.values[u.value]!.source.kind === 'constant');
    if (!foldable) {
      nodes.push(node);
      return;
    }
    const args = node.args.map((a) =>
      mapUses(a, (u) => {
        const source = graph.values[u.value]!.source;
        return source.kind === 'constant' ? ({ id: source.tensor.id, shape: u.shape, dtype: u.dtype } as unknown as Use) : u;
      }),
    );
    const ids = callKernel(backend, node.op, args);
    ids.forEach((id, k) => {
      const info = graph.values[node.outputs[k]!]!;
      // Kept: compiling may happen inside the caller's scope(), and the graph outlives it.
      info.source = { kind: 'constant', tensor: wrap(backend, id, info.shape, info.dtype).keep() };
    });
  });
  return { ...graph, nodes };
}
