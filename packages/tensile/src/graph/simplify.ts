/**
 * Algebraic simplification of what autograd and optimizers generate: x·1, 1·x, x + 0, 0 + x, x − 0
 * and x / 1 read x (when x already has the result's shape and dtype); a strided copy that copies a
 * contiguous buffer as it is reads the buffer; a transposing copy of a transposing copy becomes one.
 */
import { shapesEqual, stridesOf } from '../tensor/shape.js';
import { type Arg, type Graph, type GraphNode, Use, redirect } from './ir.js';

/** The number every element of a constant holds, or null. */
function constantValue(graph: Graph, arg: Arg): number | null {
  if (!(arg instanceof Use)) return null;
  const source = graph.values[arg.value]!.source;
  if (source.kind !== 'constant') return null;
  const values = source.tensor.dataSync();
  const first = values[0];
  if (first === undefined) return null;
  for (let i = 1; i < values.length; i++) if (values[i] !== first) return null;
  return first;
}

/** The operand a neutral binary op passes through, or null. */
function passThrough(graph: Graph, node: GraphNode): Use | null {
  const [op, a, b, outShape, outDType] = node.args as [string, Use, Use, readonly number[], string];
  const keeps = (x: Use): boolean => shapesEqual(x.shape, outShape) && x.dtype === outDType;
  const bValue = constantValue(graph, b);
  if ((op === 'mul' || op === 'div') && bValue === 1 && keeps(a)) return a;
  if ((op === 'add' || op === 'sub') && bValue === 0 && keeps(a)) return a;
  const aValue = constantValue(graph, a);
  if (op === 'mul' && aValue === 1 && keeps(b)) return b;
  if (op === 'add' && aValue === 0 && keeps(b)) return b;
  return null;
}

/** For out[i] = x[off + Σ i_k·s_k] over a contiguous x: whether it copies x unchanged. */
function isIdentityCopy(x: Use, outShape: readonly number[], strides: readonly number[], offset: number): boolean {
  if (offset !== 0 || outShape.length !== x.shape.length || !shapesEqual(outShape, x.shape)) return false;
  const c = stridesOf(outShape);
  return strides.every((s, k) => s === c[k] || outShape[k] === 1);
}

/**
 * The strides of copy B applied to the output of copy A, when B only permutes or broadcasts A's
 * axes (each B axis walks one whole A axis, or none): B∘A reads A's input with A's strides for
 * those axes. Null when B is any other view.
 */
function composeCopies(aShape: readonly number[], aStrides: readonly number[], bUse: Use, bShape: readonly number[], bStrides: readonly number[], bOffset: number): number[] | null {
  if (bOffset !== 0 || !shapesEqual(bUse.shape, aShape)) return null;
  const c = stridesOf(aShape);
  const taken = new Set<number>();
  const out: number[] = [];
  for (let k = 0; k < bShape.length; k++) {
    if (bShape[k] === 1 || bStrides[k] === 0) {
      out.push(0);
      continue;
    }
    const axis = aShape.findIndex((n, m) => !taken.has(m) && n === bShape[k] && c[m] === bStrides[k]);
    if (axis < 0) return null;
    taken.add(axis);
    out.push(aStrides[axis]!);
  }
  return out;
}

export function simplify(graph: Graph): Graph {
  let g: Graph = { ...graph };
  const producer = new Map<number, GraphNode>();
  const nodes: GraphNode[] = [];
  for (let i = 0; i < g.nodes.length; i++) {
    let node = g.nodes[i]!;
    let same: Use | null = null;
    if (node.op === 'binary') same = passThrough(g, node);
    if (node.op === 'stridedCopy') {
      const [x, outShape, strides, offset] = node.args as [Use, readonly number[], readonly number[], number];
      if (isIdentityCopy(x, outShape, strides, offset)) same = x;
      const inner = producer.get(x.value);
      if (!same && inner?.op === 'stridedCopy') {
        const [ax, aShape, aStrides, aOffset] = inner.args as [Use, readonly number[], readonly number[], number];
        const strides2 = composeCopies(aShape, aStrides, x, outShape, strides, offset);
        if (strides2) {
          node = { ...node, args: [ax, outShape, strides2, aOffset] };
          if (isIdentityCopy(ax, outShape, strides2, aOffset)) same = ax;
        }
      }
    }
    if (same) {
      // Readers of the result read the operand: redirect the rest of the graph.
      const rest: Graph = { ...g, nodes: g.nodes.slice(i + 1) };
      redirect(rest, node.outputs[0]!, same.value);
      g = { ...rest, nodes: [...g.nodes.slice(0, i + 1), ...rest.nodes] };
      continue;
    }
    for (const o of node.outputs) producer.set(o, node);
    nodes.push(node);
  }
  return { ...g, nodes };
}
