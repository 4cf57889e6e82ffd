/**
 * Epilogue fusion: a matmul or conv2d without an epilogue whose result only feeds `+ bias` (one
 * value per output channel) and/or ReLU takes them into its kernel's OutputEpilogue, so the product
 * writes its final values in one pass (what fusedMatmul/fusedConv2d do for layers; this catches the
 * same pattern written with plain ops).
 */
import type { Conv2DInfo, MatMulInfo } from '../backend/contract.js';
import { sizeOf } from '../tensor/shape.js';
import { type Graph, type GraphNode, Use, mapUses, nodeUses } from './ir.js';

function channels(node: GraphNode): number {
  const info = node.args[2] as unknown;
  return node.op === 'matmul' ? (info as MatMulInfo).n : (info as Conv2DInfo).outChannels;
}

export function fuseEpilogues(graph: Graph): Graph {
  const readers = new Map<number, GraphNode[]>();
  for (const node of graph.nodes) for (const u of nodeUses(node)) readers.set(u.value, [...(readers.get(u.value) ?? []), node]);
  const outside = new Set<number>([...graph.outputs.map((u) => u.value), ...graph.stateWrites.map((w) => w.value)]);
  const position = new Map<number, number>();
  graph.nodes.forEach((n, i) => n.outputs.forEach((o) => position.set(o, i)));
  /** The one node reading `value`, when nothing else (outputs included) does. */
  const soleReader = (value: number): GraphNode | null => {
    const r = readers.get(value) ?? [];
    return r.length === 1 && !outside.has(value) ? r[0]! : null;
  };

  const replaced = new Map<number, number>();
  const dropped = new Set<GraphNode>();
  const rewritten = new Map<GraphNode, GraphNode>();
  graph.nodes.forEach((node, at) => {
    if ((node.op !== 'matmul' && node.op !== 'conv2d') || node.args[3] !== undefined || (node.args[0] as Use).dtype !== 'float32') return;
    const out = node.outputs[0]!;
    const size = sizeOf(graph.values[out]!.shape);
    let bias: Use | null = null;
    let last = out;
    const add = soleReader(out);
    if (add?.op === 'binary' && add.args[0] === 'add' && sizeOf(add.args[3] as readonly number[]) === size) {
      const [a, b] = [add.args[1] as Use, add.args[2] as Use];
      const other = a.value === out ? b : a;
      const made = position.get(other.value);
      // The bias must be [channels] (leading 1s allowed) and exist before the product runs.
      if (other.value !== out && other.dtype === 'float32' && sizeOf(other.shape) === channels(node) && other.shape.slice(0, -1).every((d) => d === 1) && (made === undefined || made < at)) {
        bias = new Use(other.value, [channels(node)], 'float32');
        dropped.add(add);
        last = add.outputs[0]!;
      }
    }
    const relu = soleReader(last);
    const takesRelu = relu?.op === 'unary' && relu.args[0] === 'relu' && relu.args[2] === 'float32';
    if (takesRelu) {
      dropped.add(relu);
      last = relu.outputs[0]!;
    }
    if (!bias && !takesRelu) return;
    rewritten.set(node, { ...node, args: [...node.args.slice(0, 3), { bias, relu: takesRelu }] });
    if (last !== out) replaced.set(last, out);
  });
  const read = (u: Use): Use => {
    const to = replaced.get(u.value);
    return to === undefined ? u : new Use(to, u.shape, u.dtype);
  };
  return {
    ...graph,
    nodes: graph.nodes.filter((n) => !dropped.has(n)).map((n) => rewritten.get(n) ?? n).map((n) => ({ ...n, args: n.args.map((a) => mapUses(a, read)) })),
    outputs: graph.outputs.map(read),
    stateWrites: graph.stateWrites.map((w) => ({ tensor: w.tensor, value: replaced.get(w.value) ?? w.value })),
  };
}
