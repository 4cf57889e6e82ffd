/**
 * The static memory plan: from the graph's liveness, the point after which each buffer a node made
 * is dead and can be handed back, fixed once at compile time. Returned to the backend's size-class
 * free lists (the WASM heap's), freed buffers are what the next nodes' results reuse, so a compiled
 * step reaches a steady state after its first call and grows no memory after it.
 */
import { itemSize } from '../tensor/dtype.js';
import { sizeOf } from '../tensor/shape.js';
import { type Graph, nodeUses } from './ir.js';

export interface MemoryPlan {
  /** Values to free after node i runs (its dead results included). */
  readonly freeAfter: readonly (readonly number[])[];
  /** Bytes of node results alive at once at the worst point of a call. */
  readonly peakBytes: number;
  /** Bytes of every node result of a call: what running without frees would hold. */
  readonly totalBytes: number;
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
  let live = 0;
  let peakBytes = 0;
  let totalBytes = 0;
  graph.nodes.forEach((node, i) => {
    for (const o of node.outputs) {
      live += bytes(o);
      totalBytes += bytes(o);
    }
    peakBytes = Math.max(peakBytes, live);
    for (const v of freeAfter[i]!) live -= bytes(v);
  });
  return { freeAfter, peakBytes, totalBytes };
}
