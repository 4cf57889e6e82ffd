import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * The library's folders form a stack (README, Architecture): an import cycle between two folders
 * means neither can be read, tested or loaded alone. Type-only imports count too.
 */

const SOURCE = fileURLToPath(new URL('../../../src/', import.meta.url));

/** A folder of src/ (its first path segment), or the file itself for files at the top (index.ts …). */
function unitOf(file: string): string {
  return path.relative(SOURCE, file).split(path.sep)[0]!;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** Folder → folder → one file import that makes the edge (for the failure message). */
type FolderGraph = Map<string, Map<string, string>>;

function folderGraph(): FolderGraph {
  const graph: FolderGraph = new Map();
  for (const file of sourceFiles(SOURCE)) {
    const from = unitOf(file);
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = path.resolve(path.dirname(file), fileName);
      const to = unitOf(target);
      if (to === from || to.startsWith('..')) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      const edges = graph.get(from)!;
      if (!edges.has(to)) edges.set(to, `${path.relative(SOURCE, file)} imports ${fileName}`);
    }
  }
  return graph;
}

/** The strongly connected sets of more than one folder (Tarjan), each sorted. */
function folderCycles(graph: FolderGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) cycles.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

/** Each edge inside a cycle, with the import that makes it. */
function describeCycle(graph: FolderGraph, cycle: readonly string[]): string {
  const edges = cycle.flatMap((from) =>
    [...(graph.get(from) ?? [])].filter(([to]) => cycle.includes(to)).map(([to, why]) => `    ${from} → ${to}: ${why}`),
  );
  return `  ${cycle.join(' ↔ ')}\n${edges.join('\n')}`;
}

describe('folder imports of the library', () => {
  it('form no cycle', () => {
    const graph = folderGraph();
    // The scan must see the stack it guards: ops build on tensor, nn on ops, train on nn.
    for (const [from, to] of [['ops', 'tensor'], ['nn', 'ops'], ['train', 'nn']] as const) {
      assert.ok(graph.get(from)?.has(to), `the import scan found no ${from} → ${to} import; is ${SOURCE} the library's source?`);
    }
    const cycles = folderCycles(graph);
    assert.equal(cycles.length, 0, `import cycles between folders of src/:\n${cycles.map((c) => describeCycle(graph, c)).join('\n')}`);
  });

  it('are checked by a detector that finds a cycle through three folders', () => {
    const graph: FolderGraph = new Map([
      ['tensor', new Map([['ops', 'tensor/tensor.ts imports ../ops/index.js']])],
      ['ops', new Map([['autograd', 'ops/arithmetic.ts imports ../autograd/graph.js']])],
      ['autograd', new Map([['tensor', 'autograd/graph.ts imports ../tensor/tensor.js']])],
      ['nn', new Map([['ops', 'nn/layer.ts imports ../ops/index.js']])],
    ]);
    assert.deepEqual(folderCycles(graph), [['autograd', 'ops', 'tensor']]);
  });
});
