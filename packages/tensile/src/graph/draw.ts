/**
 * Pictures of a graph: Graphviz DOT and Mermaid flowcharts. Boxes are kernel calls (fused nodes
 * name their chain); rounded boxes are inputs, state (parameters, optimizer slots) and constants;
 * edges carry values, labelled with their shapes.
 */
import { formatShape } from '../tensor/shape.js';
import { type Graph, nodeLabel, nodeUses } from './ir.js';

interface Picture {
  readonly sources: { id: string; label: string }[];
  readonly ops: { id: string; label: string; fused: boolean }[];
  readonly edges: { from: string; to: string; label: string }[];
  readonly results: { id: string; label: string }[];
}

function picture(graph: Graph): Picture {
  const producer = new Map<number, string>();
  const sources: Picture['sources'] = [];
  const edgeFrom = (value: number): string => {
    let id = producer.get(value);
    if (id === undefined) {
      const s = graph.values[value]!.source;
      id = `v${value}`;
      const kind = s.kind === 'input' ? `input ${s.index}` : s.kind;
      sources.push({ id, label: `${kind} ${graph.values[value]!.dtype}${formatShape(graph.values[value]!.shape)}` });
      producer.set(value, id);
    }
    return id;
  };
  const ops: Picture['ops'] = [];
  const edges: Picture['edges'] = [];
  graph.nodes.forEach((node, i) => {
    const id = `n${i}`;
    for (const u of nodeUses(node)) edges.push({ from: edgeFrom(u.value), to: id, label: formatShape(u.shape) });
    ops.push({ id, label: nodeLabel(node), fused: node.body !== undefined });
    for (const o of node.outputs) producer.set(o, id);
  });
  const results: Picture['results'] = [];
  graph.outputs.forEach((u, k) => {
    results.push({ id: `r${k}`, label: `result ${k}` });
    edges.push({ from: edgeFrom(u.value), to: `r${k}`, label: formatShape(u.shape) });
  });
  graph.stateWrites.forEach((w, k) => {
    results.push({ id: `w${k}`, label: 'state update' });
    edges.push({ from: edgeFrom(w.value), to: `w${k}`, label: formatShape(w.tensor.shape) });
  });
  return { sources, ops, edges, results };
}

const quoted = (text: string): string => text.replace(/"/g, "'");

/** Graphviz DOT: `dot -Tsvg graph.dot > graph.svg`. */
export function toDot(graph: Graph, title = 'graph'): string {
  const p = picture(graph);
  const lines = [`digraph "${quoted(title)}" {`, '  rankdir=TB;', '  node [fontname="Helvetica", fontsize=10];'];
  for (const s of p.sources) lines.push(`  ${s.id} [label="${quoted(s.label)}", shape=box, style="rounded,filled", fillcolor="#eef3ff"];`);
  for (const o of p.ops) lines.push(`  ${o.id} [label="${quoted(o.label)}", shape=box${o.fused ? ', style=filled, fillcolor="#ffe9b3"' : ''}];`);
  for (const r of p.results) lines.push(`  ${r.id} [label="${quoted(r.label)}", shape=box, style="rounded,filled", fillcolor="#e8f7e8"];`);
  for (const e of p.edges) lines.push(`  ${e.from} -> ${e.to} [label="${quoted(e.label)}", fontsize=8];`);
  lines.push('}');
  return lines.join('\n');
}

/** A Mermaid flowchart (GitHub renders ```mermaid blocks in markdown). */
export function toMermaid(graph: Graph): string {
  const p = picture(graph);
  const lines = ['flowchart TD'];
  for (const s of p.sources) lines.push(`  ${s.id}(["${quoted(s.label)}"])`);
  for (const o of p.ops) lines.push(`  ${o.id}["${quoted(o.label)}"]${o.fused ? ':::fused' : ''}`);
  for (const r of p.results) lines.push(`  ${r.id}(["${quoted(r.label)}"])`);
  for (const e of p.edges) lines.push(`  ${e.from} -->|"${quoted(e.label)}"| ${e.to}`);
  lines.push('  classDef fused fill:#ffe9b3,stroke:#b8860b');
  return lines.join('\n');
}
