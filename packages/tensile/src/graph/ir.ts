/**
 * The graph IR: what one traced call of a function did, as backend kernel calls. A node is one
 * kernel call (op = the Backend method, e.g. `binary`, `matmul`) with its arguments, in which every
 * buffer is a {@link Use} of a value (a value id with the shape and dtype the kernel saw it as);
 * the other arguments (op names, MatMulInfo, …) are the node's attributes. Values come from nodes,
 * from the function's inputs, from tensors the function read (parameters), or are constants
 * computed once when the graph is compiled.
 */
import type { DType, ElementwiseProgram, Shape, TypedArray } from '../backend/contract.js';
import type { Tensor } from '../tensor/tensor.js';
import { formatShape } from '../tensor/shape.js';

/** The Backend methods a graph can call. */
export type KernelName =
  | 'fill' | 'upload' | 'unary' | 'activationGrad' | 'adamStep' | 'binary' | 'where' | 'cast'
  | 'stridedCopy' | 'stridedScatter' | 'concat' | 'gather' | 'scatterAdd' | 'reduce' | 'topk'
  | 'matmul' | 'conv2d' | 'conv2dBackpropInput' | 'conv2dBackpropFilter' | 'pool2d' | 'pool2dBackward' | 'hog'
  | 'softmaxCrossEntropy' | 'softmaxCrossEntropyGrad' | 'fusedElementwise' | 'adamStepInPlace' | 'pool2dReluBackward';

/** A read of value `value` as a buffer of `shape` and `dtype` (reshapes share buffers, so uses of one value may differ in shape). */
export class Use {
  constructor(
    readonly value: number,
    readonly shape: Shape,
    readonly dtype: DType,
  ) {}
}

/** A kernel argument: a buffer use, a plain attribute, or arrays/records of them (concat's inputs, an epilogue's bias). */
export type Arg = Use | number | string | boolean | null | undefined | TypedArray | ElementwiseProgram | readonly Arg[] | { readonly [key: string]: Arg };

export interface GraphNode {
  readonly op: KernelName;
  /** The kernel's arguments, buffers replaced by uses. */
  readonly args: readonly Arg[];
  /** Value ids of the kernel's results (three for adamStep, two for topk and softmaxCrossEntropy, else one). */
  readonly outputs: readonly number[];
  /** For an upload of values made on the host at every call (random numbers): what makes them. */
  readonly make?: () => TypedArray;
  /** For a fused node (fusedElementwise, pool2dReluBackward): the nodes it replaces, which backends without its kernel run instead. */
  readonly body?: readonly GraphNode[];
  /** For an in-place node (no results): the state tensors whose buffers it overwrites. */
  readonly inPlace?: readonly Tensor[];
}

/** Where a value comes from when the graph runs. */
export type ValueSource =
  | { readonly kind: 'node' }
  /** The index-th tensor argument of the compiled function. */
  | { readonly kind: 'input'; readonly index: number }
  /** A tensor the function read and did not make: read afresh at every call (parameters, optimizer slots). */
  | { readonly kind: 'state'; readonly tensor: Tensor }
  /** Computed once when the graph was compiled, held by the graph. */
  | { readonly kind: 'constant'; readonly tensor: Tensor };

export interface ValueInfo {
  readonly shape: Shape;
  readonly dtype: DType;
  source: ValueSource;
}

/** After a call, `tensor` holds `value` (an in-place update the function made: parameters, slots). */
export interface StateWrite {
  readonly tensor: Tensor;
  readonly value: number;
}

export interface Graph {
  nodes: GraphNode[];
  readonly values: ValueInfo[];
  /** The function's results, in order. */
  outputs: Use[];
  stateWrites: StateWrite[];
}

/** Every use inside an argument tree, in order. */
export function usesOf(arg: Arg, into: Use[] = []): Use[] {
  if (arg instanceof Use) into.push(arg);
  else if (ArrayBuffer.isView(arg)) return into;
  else if (Array.isArray(arg)) for (const a of arg as readonly Arg[]) usesOf(a, into);
  else if (arg !== null && typeof arg === 'object') for (const a of Object.values(arg)) usesOf(a, into);
  return into;
}

/** The argument tree with every use passed through `f`. */
export function mapUses(arg: Arg, f: (use: Use) => Use): Arg {
  if (arg instanceof Use) return f(arg);
  if (Array.isArray(arg)) return (arg as readonly Arg[]).map((a) => mapUses(a, f));
  if (ArrayBuffer.isView(arg)) return arg;
  if (arg !== null && typeof arg === 'object') {
    // Objects without uses (AdamStepScalars) stay the same object: an optimizer updates it in place between calls.
    if (usesOf(arg).length === 0) return arg;
    return Object.fromEntries(Object.entries(arg).map(([k, a]) => [k, mapUses(a, f)]));
  }
  return arg;
}

/** The node's inputs. */
export function nodeUses(node: GraphNode): Use[] {
  return usesOf(node.args);
}

/** A node with every use of value `from` reading `to` instead (shapes kept). */
export function replaceValue(node: GraphNode, from: number, to: number): GraphNode {
  return { ...node, args: node.args.map((a) => mapUses(a, (u) => (u.value === from ? new Use(to, u.shape, u.dtype) : u))) };
}

/** Points every reader of `from` (nodes, outputs, state writes) at `to`. */
export function redirect(graph: Graph, from: number, to: number): void {
  graph.nodes = graph.nodes.map((n) => replaceValue(n, from, to));
  graph.outputs = graph.outputs.map((u) => (u.value === from ? new Use(to, u.shape, u.dtype) : u));
  graph.stateWrites = graph.stateWrites.map((w) => (w.value === from ? { tensor: w.tensor, value: to } : w));
}

/** The value the kernel attribute describes, for printing: numbers and strings as they are, records as k=v. */
function formatArg(arg: Arg): string {
  if (arg instanceof Use) return `%${arg.value}`;
  if (ArrayBuffer.isView(arg)) return `<${arg.length} values>`;
  if (Array.isArray(arg)) return `[${(arg as readonly Arg[]).map(formatArg).join(', ')}]`;
  if (arg !== null && typeof arg === 'object') {
    return `{${Object.entries(arg).map(([k, v]) => `${k}=${formatArg(v)}`).join(' ')}}`;
  }
  return arg === undefined ? '-' : typeof arg === 'number' ? String(Math.fround(arg) === arg ? arg : Number(arg.toPrecision(7))) : String(arg);
}

function sourceText(info: ValueInfo): string {
  return info.source.kind === 'input' ? `input ${info.source.index}` : info.source.kind;
}

/** A value's type as printed: `dtype[shape]`. */
export function valueType(graph: Graph, id: number): string {
  const v = graph.values[id]!;
  return `${v.dtype}${formatShape(v.shape)}`;
}

/** The graph as text: inputs, state and constants, then one line per node, then what it returns and updates. */
export function printGraph(graph: Graph): string {
  const lines: string[] = [];
  const used = new Set<number>();
  for (const n of graph.nodes) for (const u of nodeUses(n)) used.add(u.value);
  for (const u of graph.outputs) used.add(u.value);
  for (const w of graph.stateWrites) used.add(w.value);
  graph.values.forEach((v, id) => {
    if (v.source.kind !== 'node' && used.has(id)) lines.push(`%${id}: ${valueType(graph, id)} = ${sourceText(v)}`);
  });
  for (const n of graph.nodes) {
    // An in-place node has no results: the line is its call alone.
    const outs = n.outputs.length ? `${n.outputs.map((o) => `%${o}: ${valueType(graph, o)}`).join(', ')} = ` : '';
    if (n.body) lines.push(`${outs}${nodeLabel(n)}(${nodeUses(n).map(formatArg).join(', ')})`);
    else lines.push(`${outs}${n.op}(${n.args.map(formatArg).join(', ')})`);
  }
  lines.push(`return ${graph.outputs.map((u) => `%${u.value}`).join(', ')}`);
  for (const w of graph.stateWrites) lines.push(`update state ← %${w.value}`);
  return lines.join('\n');
}

/** A short label for a node in pictures: the op and its main attribute (the unary/binary op name, a fused chain's ops). */
export function nodeLabel(node: GraphNode): string {
  if (node.body) return `fused ${node.body.map(nodeLabel).map((l) => l.replace(/^(unary|binary|activationGrad) /, '')).join(' → ')}`;
  const first = node.args[0];
  if ((node.op === 'unary' || node.op === 'binary' || node.op === 'activationGrad' || node.op === 'reduce' || node.op === 'pool2d' || node.op === 'pool2dBackward') && typeof first === 'string') {
    return `${node.op} ${first}`;
  }
  return node.op;
}
