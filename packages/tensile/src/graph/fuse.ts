/**
 * Elementwise fusion: chains of float32 elementwise kernels (add, mul, relu, relu's gradient …)
 * whose intermediate results have no other reader become one `fusedElementwise` node: one pass
 * over memory instead of one per op, and one kernel call. The WASM backend generates the fused
 * kernel; a backend without one runs the node's body, the original kernels (executor.ts).
 * Operands must have the result's size or be single values (broadcast scalars); a node with any
 * other broadcast stays apart. Bias and ReLU after products go into their epilogue (fuse-epilogue.ts,
 * run before this), and Adam's chain is one kernel (adamStep), so neither needs fusing here.
 */
import type { Backend, ElementwiseProgram, FusedOp } from '../backend/contract.js';
import { sizeOf } from '../tensor/shape.js';
import { type Graph, type GraphNode, type Use, nodeUses } from './ir.js';

const BINARY: ReadonlySet<string> = new Set(['add', 'sub', 'mul', 'div', 'maximum', 'minimum']);
const UNARY: ReadonlySet<string> = new Set(['neg', 'abs', 'sqrt', 'square', 'relu', 'reciprocal']);

interface Candidate {
  readonly op: FusedOp;
  readonly operands: readonly Use[];
  readonly size: number;
}

/** The node as one fusable operation, or null. */
function candidate(node: GraphNode): Candidate | null {
  const [name] = node.args;
  const f32 = (u: Use): boolean => u.dtype === 'float32';
  if (node.op === 'unary' && UNARY.has(name as string)) {
    const [, x, outDType] = node.args as [string, Use, string];
    return f32(x) && outDType === 'float32' ? { op: name as FusedOp, operands: [x], size: sizeOf(x.shape) } : null;
  }
  if (node.op === 'binary' && BINARY.has(name as string)) {
    const [, a, b, outShape, outDType] = node.args as [string, Use, Use, readonly number[], string];
    const size = sizeOf(outShape);
    const fits = (u: Use): boolean => f32(u) && (sizeOf(u.shape) === size || sizeOf(u.shape) === 1);
    return fits(a) && fits(b) && outDType === 'float32' ? { op: name as FusedOp, operands: [a, b], size } : null;
  }
  if (node.op === 'activationGrad' && name === 'relu') {
    const [, dy, y] = node.args as [string, Use, Use];
    return f32(dy) && f32(y) ? { op: 'reluGrad', operands: [dy, y], size: sizeOf(dy.shape) } : null;
  }
  return null;
}

class Group {
  readonly members: GraphNode[] = [];
  readonly inputs: Use[] = [];
  readonly steps: { op: FusedOp; args: number[] }[] = [];
  /** Slot of each value the group has computed. */
  private readonly slotOf = new Map<number, number>();

  constructor(readonly size: number) {}

  get output(): number {
    return this.members[this.members.length - 1]!.outputs[0]!;
  }

  add(node: GraphNode, c: Candidate): void {
    const args = c.operands.map((u) => {
      const inside = this.slotOf.get(u.value);
      if (inside !== undefined) return inside;
      const scalar = sizeOf(u.shape) === 1 && this.size !== 1;
      let k = this.inputs.findIndex((x) => x.value === u.value && (sizeOf(x.shape) === 1 && this.size !== 1) === scalar);
      if (k < 0) k = this.inputs.push(u) - 1;
      return -1 - k;
    });
    this.members.push(node);
    this.steps.push({ op: c.op, args });
    this.slotOf.set(node.outputs[0]!, this.steps.length - 1);
  }

  /** The fused node: input slots first, then one slot per step. */
  toNode(): GraphNode {
    const n = this.inputs.length;
    const program: ElementwiseProgram = { inputs: n, steps: this.steps.map((s) => ({ op: s.op, args: s.args.map((a) => (a < 0 ? -1 - a : n + a)) })) };
    return { op: 'fusedElementwise', args: [program, this.inputs, this.size], outputs: [this.output], body: this.members };
  }
}

export function fuseElementwise(graph: Graph): Graph {
  const readers = new Map<number, number>();
  const read = (v: number): void => void readers.set(v, (readers.get(v) ?? 0) + 1);
  for (const node of graph.nodes) for (const u of nodeUses(node)) read(u.value);
  // Results and state writes are read after the call: they cannot stay inside a fused pass.
  for (const u of graph.outputs) read(u.value);
  for (const w of graph.stateWrites) read(w.value);

  // Each group sits where its last member was: every operand of every member exists by then.
  const order: (GraphNode | Group | null)[] = [];
  const open = new Map<number, { group: Group; at: number }>();
  for (const node of graph.nodes) {
    const c = candidate(node);
    if (!c) {
      order.push(node);
      continue;
    }
    const joins = c.operands.map((u) => open.get(u.value)).find((o) => o !== undefined && o.group.size === c.size && readers.get(o.group.output) === 1);
    let group: Group;
    if (joins) {
      group = joins.group;
      open.delete(group.output);
      order[joins.at] = null;
    } else {
      group = new Group(c.size);
    }
    group.add(node, c);
    open.set(group.output, { group, at: order.length });
    order.push(group);
  }
  const nodes = order.flatMap((item) => (item === null ? [] : item instanceof Group ? (item.members.length > 1 ? [item.toNode()] : item.members) : [item]));
  return { ...graph, nodes };
}

/** The graph with every fused node whose kernel `backend` lacks replaced by its body, the kernels it stands for. */
export function unfuse(graph: Graph, backend: Backend): Graph {
  return { ...graph, nodes: graph.nodes.flatMap((n) => (n.body && !backend[n.op] ? n.body : [n])) };
}

