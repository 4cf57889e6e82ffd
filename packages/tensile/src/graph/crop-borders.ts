/**
 * Unread borders: a conv2d whose result is only pooled, by unpadded windows that stop short of its
 * last rows or columns (2×2 pooling of an 11×11 map reads 10×10), computes only the rows and
 * columns the windows read, and so do its gradients. The conv's info takes the smaller output size
 * (its input stays whole; the kernels bound their taps by the input's size), the pools read the
 * smaller map, the pool gradient is made at that size, and the filter gradient, the input gradient
 * (still of the whole input, zero where no kept output reads it) and the bias-gradient sum run over
 * the kept pixels alone. In turn a pool whose result only feeds unpadded convs that stop short of
 * its last rows or columns (the cropped conv above reads 12×12 of a 13×13 map) makes only those,
 * the convs read the smaller map, and the conv input gradients that are the pool's incoming
 * gradient are made at that size; which may expose an unread border of the conv before the pool.
 * The values are those of the whole computation; sums over fewer zero terms may round differently
 * in the last bits.
 */
import type { Conv2DInfo, Pool2DInfo, Shape } from '../backend/contract.js';
import { type Arg, type Graph, type GraphNode, Use, type ValueInfo, mapUses, nodeUses } from './ir.js';

const sameShape = (a: Shape, b: Shape): boolean => a.length === b.length && a.every((d, i) => d === b[i]);
const sameInfo = <T extends Conv2DInfo | Pool2DInfo>(a: T, b: T): boolean => (Object.keys(a) as (keyof T)[]).every((k) => a[k] === b[k]);

/** Where a pool node keeps its window info, and which argument is the pooled map. */
const POOL_ARGS: Partial<Record<GraphNode['op'], { readonly info: number; readonly x: number }>> = {
  pool2d: { info: 2, x: 1 },
  pool2dBackward: { info: 3, x: 2 },
  pool2dReluBackward: { info: 2, x: 1 },
};

const convInfo = (node: GraphNode): Conv2DInfo => node.args[2] as unknown as Conv2DInfo;
const poolInfo = (node: GraphNode, at: number): Pool2DInfo => node.args[at] as unknown as Pool2DInfo;

/** Rows and columns of its input an unpadded pool reads: the last window's end. */
function poolReach(p: Pool2DInfo): [number, number] {
  return [(p.outHeight - 1) * p.strideHeight + p.filterHeight, (p.outWidth - 1) * p.strideWidth + p.filterWidth];
}

/** One map's crop: its values at the smaller size, and that size. */
interface Crop {
  /** The map of a conv's result (its output size shrinks, its pools' input size) or of a pool's (the other way round). */
  readonly of: 'conv' | 'pool';
  readonly info: Conv2DInfo | Pool2DInfo;
  readonly height: number;
  readonly width: number;
  /** Values made at the smaller size (the map, the gradients with respect to it). */
  readonly values: Set<number>;
}

interface Plan {
  readonly crop: Crop;
  readonly nodes: GraphNode[];
}

type Planner = (node: GraphNode, graph: Graph, readers: ReadonlyMap<number, GraphNode[]>, outside: ReadonlySet<number>) => Plan | null;

/** Crops conv maps, then pool maps, and again while either finds a border (each may expose one for the other). */
export function cropUnreadBorders(graph: Graph): Graph {
  for (let changed = true; changed;) {
    changed = false;
    for (const plan of [planConvCrop, planPoolCrop]) {
      const next = cropWith(graph, plan);
      changed ||= next !== graph;
      graph = next;
    }
  }
  return graph;
}

function cropWith(graph: Graph, plan: Planner): Graph {
  const readers = new Map<number, GraphNode[]>();
  for (const node of graph.nodes) for (const u of nodeUses(node)) readers.set(u.value, [...(readers.get(u.value) ?? []), node]);
  const outside = new Set<number>([...graph.outputs.map((u) => u.value), ...graph.stateWrites.map((w) => w.value)]);

  const crops = new Map<GraphNode, Crop>();
  for (const node of graph.nodes) {
    const planned = plan(node, graph, readers, outside);
    // A node two crops would change keeps the first; the next round looks at the second again.
    if (planned && planned.nodes.every((n) => !crops.has(n))) for (const n of planned.nodes) crops.set(n, planned.crop);
  }
  if (crops.size === 0) return graph;

  const values: ValueInfo[] = graph.values.map((v) => v);
  const rewrite = (node: GraphNode): GraphNode => {
    const crop = crops.get(node);
    if (!crop) return node;
    for (const o of node.outputs) {
      if (!crop.values.has(o)) continue;
      const v = graph.values[o]!;
      values[o] = { ...v, shape: croppedShape(v.shape, crop) };
    }
    return cropNode(node, crop, rewrite);
  };
  return { ...graph, nodes: graph.nodes.map(rewrite), values };
}

function croppedShape(shape: Shape, crop: Crop): Shape {
  return [shape[0]!, crop.height, crop.width, shape[3]!];
}

/**
 * The crop of `conv` and every node it changes, when all readers of its result and of the
 * gradients with respect to it are nodes that can run at the smaller size; else null.
 */
const planConvCrop: Planner = (conv, _graph, readers, outside) => {
  if (conv.op !== 'conv2d') return null;
  const info = convInfo(conv);
  const epilogue = conv.args[3] as { residual?: Use } | undefined;
  if (epilogue?.residual) return null;
  const y = conv.outputs[0]!;
  const full: Shape = [info.batch, info.outHeight, info.outWidth, info.outChannels];
  let height = 0;
  let width = 0;
  // How much of y the pools read; its other readers (a ReLU gradient) are checked with the gradients below.
  for (const pool of readers.get(y) ?? []) {
    const at = POOL_ARGS[pool.op];
    if (!at) continue;
    const p = poolInfo(pool, at.info);
    if (p.padTop !== 0 || p.padLeft !== 0) return null;
    const [h, w] = poolReach(p);
    height = Math.max(height, h);
    width = Math.max(width, w);
  }
  if (outside.has(y) || height === 0 || (height >= info.outHeight && width >= info.outWidth)) return null;
  const crop: Crop = { of: 'conv', info, height: Math.min(height, info.outHeight), width: Math.min(width, info.outWidth), values: new Set([y]) };

  // Every reader of a cropped value, and what it makes: pool gradients (and a ReLU gradient of them) are cropped values too.
  const nodes = new Set<GraphNode>([conv]);
  const pending = [y];
  while (pending.length > 0) {
    const value = pending.pop()!;
    if (outside.has(value)) return null;
    for (const node of readers.get(value) ?? []) {
      const uses = nodeUses(node);
      if (uses.some((u) => u.value === value && !sameShape(u.shape, full))) return null;
      const made = readsAtSmallerSize(node, value, crop, full);
      if (made === null) return null;
      for (const n of [node, ...(node.body ?? [])]) nodes.add(n);
      for (const o of made) {
        if (crop.values.has(o)) continue;
        crop.values.add(o);
        pending.push(o);
      }
    }
  }
  return { crop, nodes: [...nodes] };
};

/**
 * The crop of the pool `pool` and every node it changes, when its result is only the input of
 * unpadded convs (and their filter gradients) and the gradients with respect to it are only those
 * convs' input gradients, read by this pool's gradient alone; else null.
 */
const planPoolCrop: Planner = (pool, graph, readers, outside) => {
  if (pool.op !== 'pool2d') return null;
  const p = poolInfo(pool, 2);
  const out = pool.outputs[0]!;
  const full: Shape = [p.batch, p.outHeight, p.outWidth, p.channels];
  if (outside.has(out)) return null;
  let height = 0;
  let width = 0;
  const convs: Conv2DInfo[] = [];
  const nodes = new Set<GraphNode>([pool]);
  for (const node of readers.get(out) ?? []) {
    const x = node.args[0];
    if ((node.op !== 'conv2d' && node.op !== 'conv2dBackpropFilter') || !(x instanceof Use) || x.value !== out || !sameShape(x.shape, full)) return null;
    if (nodeUses(node).filter((u) => u.value === out).length !== 1) return null;
    const c = convInfo(node);
    if (c.padTop !== 0 || c.padLeft !== 0) return null;
    height = Math.max(height, (c.outHeight - 1) * c.strideHeight + (c.filterHeight - 1) * c.dilationHeight + 1);
    width = Math.max(width, (c.outWidth - 1) * c.strideWidth + (c.filterWidth - 1) * c.dilationWidth + 1);
    convs.push(c);
    nodes.add(node);
  }
  if (convs.length === 0 || (height >= p.outHeight && width >= p.outWidth)) return null;
  const crop: Crop = { of: 'pool', info: p, height, width, values: new Set([out]) };
  for (const node of graph.nodes) {
    if (node.op !== 'conv2dBackpropInput' || !convs.some((c) => sameInfo(c, convInfo(node)))) continue;
    const dx = node.outputs[0]!;
    if (outside.has(dx)) return null;
    for (const r of readers.get(dx) ?? []) {
      // The incoming gradient (dy) of this pool's gradient, and nothing else.
      const dy = r.op === 'pool2dBackward' ? r.args[1] : r.op === 'pool2dReluBackward' ? r.args[0] : null;
      const at = POOL_ARGS[r.op];
      const ofThisPool = at !== undefined && sameInfo(poolInfo(r, at.info), p) && (r.args[at.x] as Use).value === (pool.args[1] as Use).value;
      if (!(dy instanceof Use) || dy.value !== dx || !ofThisPool || nodeUses(r).filter((u) => u.value === dx).length !== 1) return null;
      for (const n of [r, ...(r.body ?? [])]) nodes.add(n);
    }
    nodes.add(node);
    crop.values.add(dx);
  }
  return { crop, nodes: [...nodes] };
};

/**
 * Whether `node` can read the cropped `value` at the smaller size; the values it then makes at that
 * size (its results that have the full map's shape), or null when it cannot.
 */
function readsAtSmallerSize(node: GraphNode, value: number, crop: Crop, full: Shape): number[] | null {
  const isUse = (a: Arg, v = value): boolean => a instanceof Use && a.value === v;
  const pool = POOL_ARGS[node.op];
  if (pool) {
    // The pooled map is the cropped value; the incoming pool gradient is not (it has the pooled size).
    if (!isUse(node.args[pool.x]!) || nodeUses(node).filter((u) => crop.values.has(u.value)).length !== 1) return null;
    if (node.op === 'pool2d') return [];
    return [node.outputs[0]!, ...(node.body ?? []).map((n) => n.outputs[0]!)];
  }
  switch (node.op) {
    case 'activationGrad':
      // Both operands (the gradient and the activation) at the cropped size.
      return nodeUses(node).every((u) => crop.values.has(u.value)) ? [node.outputs[0]!] : null;
    case 'conv2dBackpropInput':
      return isUse(node.args[0]!) && !isUse(node.args[1]!) && sameInfo(convInfo(node), crop.info as Conv2DInfo) ? [] : null;
    case 'conv2dBackpropFilter':
      return isUse(node.args[1]!) && !isUse(node.args[0]!) && sameInfo(convInfo(node), crop.info as Conv2DInfo) ? [] : null;
    case 'reduce': {
      // A sum over every pixel per channel (the bias gradient).
      const [op, , outer, size, inner] = node.args as [string, Use, number, number, number];
      return op === 'sum' && outer === 1 && inner === full[3] && size === full[0]! * full[1]! * full[2]! ? [] : null;
    }
    default:
      return null;
  }
}

/** `node` reading and making its cropped values at the smaller size, its infos and sizes changed to match. */
function cropNode(node: GraphNode, crop: Crop, rewrite: (n: GraphNode) => GraphNode): GraphNode {
  const args = node.args.map((a) => mapUses(a, (u) => (crop.values.has(u.value) ? new Use(u.value, croppedShape(u.shape, crop), u.dtype) : u)));
  // The map is the output side of the node that makes it (a conv's or a pool's) and the input side of the other kind.
  const size = (output: boolean): Record<string, number> =>
    output ? { outHeight: crop.height, outWidth: crop.width } : { inHeight: crop.height, inWidth: crop.width };
  const pool = POOL_ARGS[node.op];
  if (pool) args[pool.info] = { ...poolInfo(node, pool.info), ...size(crop.of === 'pool') };
  else if (node.op === 'conv2d' || node.op === 'conv2dBackpropInput' || node.op === 'conv2dBackpropFilter') args[2] = { ...convInfo(node), ...size(crop.of === 'conv') };
  else if (node.op === 'reduce') args[3] = crop.info.batch * crop.height * crop.width;
  return { ...node, args, ...(node.body ? { body: node.body.map(rewrite) } : {}) };
}
