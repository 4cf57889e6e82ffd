/**
 * The ReLU gradient into the max-pool gradient: `activationGrad(relu, pool2dBackward(max, dy, x), x)`,
 * where x is the output of a ReLU (a conv with a ReLU epilogue before a pool, as in the MNIST CNN),
 * becomes one `pool2dReluBackward` node: the pool gradient is masked as it is stored, and the
 * separate pass over the input-sized gradient goes. Backends without the kernel run its body, the two
 * original kernels.
 */
import { type Graph, type GraphNode, type Use, nodeUses } from './ir.js';

export function fusePoolReluGradients(graph: Graph): Graph {
  const readers = new Map<number, GraphNode[]>();
  for (const node of graph.nodes) for (const u of nodeUses(node)) readers.set(u.value, [...(readers.get(u.value) ?? []), node]);
  const outside = new Set<number>([...graph.outputs.map((u) => u.value), ...graph.stateWrites.map((w) => w.value)]);
  const fused = new Map<GraphNode, GraphNode>();
  const dropped = new Set<GraphNode>();
  for (const pool of graph.nodes) {
    if (pool.op !== 'pool2dBackward' || pool.args[0] !== 'max') continue;
    const [, dy, x, info] = pool.args as readonly [string, Use, Use, unknown];
    const out = pool.outputs[0]!;
    const r = readers.get(out) ?? [];
    const grad = r.length === 1 && !outside.has(out) ? r[0]! : null;
    if (grad?.op !== 'activationGrad' || grad.args[0] !== 'relu') continue;
    const [, gradIn, y] = grad.args as readonly [string, Use, Use];
    if (gradIn.value !== out || y.value !== x.value || x.dtype !== 'float32' || dy.dtype !== 'float32') continue;
    fused.set(pool, { op: 'pool2dReluBackward', args: [dy, x, info as Use], outputs: grad.outputs, body: [pool, grad] });
    dropped.add(grad);
  }
  if (fused.size === 0) return graph;
  return { ...graph, nodes: graph.nodes.filter((n) => !dropped.has(n)).map((n) => fused.get(n) ?? n) };
}
