/**
 * The static memory plan, fixed once at compile time from the graph's liveness: after which node
 * each buffer a node made is dead, and where in one arena each result that dies within the call
 * lives. Results whose lifetimes do not overlap share bytes of the arena (first fit, in node
 * order), and a fused elementwise pass writes over the operand it reads for the last time (its
 * kernel reads each element before it writes it). On a backend with result arenas (WASM) a call
 * then allocates only the buffers it hands out: its results and state updates.
 */
import { itemSize } from '../tensor/dtype.js';
import { sizeOf } from '../tensor/shape.js';
import { type Graph, type GraphNode, nodeUses } from './ir.js';

/** Arena offsets are multiples of this (a cache line; SIMD loads need 16). */
const ALIGN = 64;

export interface MemoryPlan {
  /** Values to free after node i runs (its dead results included). */
  readonly freeAfter: readonly (readonly number[])[];
  /** Byte offset in the arena of node i's result, or -1 when it comes from the backend's allocator (results kept after the call, nodes with several results). */
  readonly offsets: readonly number[];
  /** Bytes of node i's arena slot (0 without one). */
  readonly slotBytes: readonly number[];
  /** Bytes of the arena: the highest planned offset plus its result's bytes. */
  readonly arenaBytes: number;
  /** Bytes of node results alive at once at the worst point of a call. */
  readonly peakBytes: number;
  /** Bytes of every node result of a call: what running without frees would hold. */
  readonly totalBytes: number;
}

interface Placed {
  readonly value: number;
  readonly offset: number;
  readonly size: number;
  /** The node that reads it last. */
  readonly end: number;
}

/** The arena slot of a fused pass's operand that dies at this node and has the result's size, which the result may take. */
function overwritableOperand(node: GraphNode, at: number, size: number, live: readonly Placed[]): Placed | undefined {
  if (node.op !== 'fusedElementwise') return undefined;
  const operands = new Set(nodeUses(node).map((u) => u.value));
  return live.find((p) => p.end === at && p.size === size && operands.has(p.value));
}

/** The lowest offset with `size` free bytes among `live` (sorted by offset). */
function firstFit(live: readonly Placed[], size: number): number {
  let offset = 0;
  for (const p of live) {
    if (p.offset - offset >= size) break;
    offset = Math.max(offset, p.offset + p.size);
  }
  return offset;
}

export function planMemory(graph: Graph): MemoryPlan {
  const kept = new Set<number>([...graph.outputs.map((u) => u.value), ...graph.stateWrites.map((w) => w.value)]);
  const lastUse = new Map<number, number>();
  graph.nodes.forEach((node, i) => {
    for (const u of nodeUses(node)) lastUse.set(u.value, i);
    for (const o of node.outputs) if (!lastUse.has(o)) lastUse.set(o, i);
  });
  const freeAfter: number[][] = graph.nodes.map(() => []);
  for (const [value, at] of lastUse) {
    if (graph.values[value]!.source.kind === 'node' && !kept.has(value)) freeAfter[at]!.push(value);
  }
  const bytes = (v: number): number => sizeOf(graph.values[v]!.shape) * itemSize(graph.values[v]!.dtype);

  let live: Placed[] = [];
  let arenaBytes = 0;
  const slotBytes = graph.nodes.map(() => 0);
  const offsets = graph.nodes.map((node, i) => {
    live = live.filter((p) => p.end >= i);
    const [out] = node.outputs;
    if (node.outputs.length !== 1 || kept.has(out!)) return -1;
    const size = Math.max(ALIGN, Math.ceil(bytes(out!) / ALIGN) * ALIGN);
    const reused = overwritableOperand(node, i, size, live);
    const offset = reused ? reused.offset : firstFit(live, size);
    live = live.filter((p) => p !== reused);
    live.push({ value: out!, offset, size, end: lastUse.get(out!)! });
    live.sort((a, b) => a.offset - b.offset);
    arenaBytes = Math.max(arenaBytes, offset + size);
    slotBytes[i] = size;
    return offset;
  });

  let current = 0;
  let peakBytes = 0;
  let totalBytes = 0;
  graph.nodes.forEach((node, i) => {
    for (const o of node.outputs) {
      current += bytes(o);
      totalBytes += bytes(o);
    }
    peakBytes = Math.max(peakBytes, current);
    for (const v of freeAfter[i]!) current -= bytes(v);
  });
  return { freeAfter, offsets, slotBytes, arenaBytes, peakBytes, totalBytes };
}
