/** Each optimisation pass on its own, on graphs traced from small functions. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Adam, add, avgPool2d, conv2d, fusedConv2d, manualSeed, exp, getBackend, grad, matmul, maxPool2d, mul, neg, permute, randn, relu, sum, tensor, type Tensor, valueAndGrad } from '../../src/index.js';
import type { Pool2DOptions } from '../../src/ops/pool.js';
import { cropUnreadBorders } from '../../src/graph/crop-borders.js';
import { fusePoolReluGradients } from '../../src/graph/fuse-pool-relu.js';
import { fuseElementwise } from '../../src/graph/fuse.js';
import { fuseEpilogues } from '../../src/graph/fuse-epilogue.js';
import { eliminateCommonSubexpressions } from '../../src/graph/cse.js';
import { eliminateDeadCode } from '../../src/graph/dce.js';
import { foldConstants } from '../../src/graph/fold.js';
import { type Graph, nodeLabel, printGraph } from '../../src/graph/ir.js';
import { toDot, toMermaid } from '../../src/graph/draw.js';
import { type MemoryPlan, planMemory } from '../../src/graph/memory-plan.js';
import { updateInPlace } from '../../src/graph/in-place.js';
import { nodeUses } from '../../src/graph/ir.js';
import { simplify } from '../../src/graph/simplify.js';
import { jit } from '../../src/graph/compile.js';
import { assertClose } from '../helpers/assert.js';
import { forEachBackend } from '../helpers/backends.js';

/** The graph `fn` traces to, before any pass, and a way to run any version of it. */
function traced(fn: (...xs: Tensor[]) => Tensor, ...inputs: Tensor[]): Graph {
  const compiled = jit(fn, { optimize: false });
  compiled(...inputs);
  return compiled.graphs[0]!.traced;
}

const ops = (g: Graph): string[] => g.nodes.map((n) => (typeof n.args[0] === 'string' ? `${n.op}:${n.args[0]}` : n.op));

forEachBackend('graph passes', () => {
  it('dead-code elimination drops what reaches no output', () => {
    const g = traced((x) => {
      exp(x); // unused
      return relu(x);
    }, randn([4]));
    assert.deepEqual(ops(g), ['unary:exp', 'unary:relu']);
    assert.deepEqual(ops(eliminateDeadCode(g)), ['unary:relu']);
  });

  it('common-subexpression elimination merges repeated kernels on the same values', () => {
    const g = traced((x) => add(exp(x), exp(x)), randn([4]));
    assert.deepEqual(ops(g), ['unary:exp', 'unary:exp', 'binary:add']);
    const merged = eliminateCommonSubexpressions(g);
    assert.deepEqual(ops(merged), ['unary:exp', 'binary:add']);
    const [sumNode] = merged.nodes.slice(-1);
    const [, a, b] = sumNode!.args as [string, { value: number }, { value: number }];
    assert.equal(a.value, b.value);
  });

  it('constant folding computes what depends on constants alone, once', () => {
    const g = traced((x) => mul(x, add(tensor([2, 2, 2]), 3)), randn([3]));
    assert.deepEqual(ops(g), ['upload', 'fill', 'binary:add', 'binary:mul']);
    const graph = foldConstants(g, getBackend());
    assert.deepEqual(ops(graph), ['binary:mul']);
    const [, , constant] = graph.nodes[0]!.args as [string, unknown, { value: number }];
    const source = graph.values[constant.value]!.source;
    assert.equal(source.kind, 'constant');
    assert.deepEqual(source.kind === 'constant' ? Array.from(source.tensor.dataSync()) : [], [5, 5, 5]);
  });

  it('algebraic simplification removes x·1, x + 0 and a transpose of a transpose', () => {
    const x = randn([2, 3, 4]);
    const g = traced((t) => sum(add(mul(permute(permute(t, [2, 0, 1]), [1, 2, 0]), 1), 0)), x);
    assert.deepEqual(ops(g), ['stridedCopy', 'stridedCopy', 'fill', 'binary:mul', 'fill', 'binary:add', 'reduce:sum']);
    const folded = foldConstants(g, getBackend());
    // The two copies compose into the identity, the neutral mul and add disappear: the sum reads x.
    const simple = eliminateDeadCode(simplify(folded));
    assert.deepEqual(ops(simple), ['reduce:sum']);
    const [, input] = simple.nodes[0]!.args as [string, { value: number }];
    assert.equal(simple.values[input.value]!.source.kind, 'input');
    const compiled = jit((t: Tensor) => sum(add(mul(permute(permute(t, [2, 0, 1]), [1, 2, 0]), 1), 0)));
    compiled(x);
    assert.deepEqual(Array.from(compiled(x).dataSync()), Array.from(sum(x).dataSync()));
  });

  it('simplification composes a transpose of a transpose that is not the identity into one copy', () => {
    const g = traced((t) => relu(permute(permute(t, [1, 0, 2]), [0, 2, 1])), randn([2, 3, 4]));
    const simple = eliminateDeadCode(simplify(g));
    assert.deepEqual(ops(simple), ['stridedCopy', 'unary:relu']);
    const x = randn([2, 3, 4]);
    const compiled = jit((t: Tensor) => relu(permute(permute(t, [1, 0, 2]), [0, 2, 1])));
    compiled(x);
    assert.deepEqual(Array.from(compiled(x).dataSync()), Array.from(relu(permute(x, [1, 2, 0])).dataSync()));
  });

  it('fusion makes one pass of an elementwise chain, with the bits of the separate kernels', () => {
    const f = (x: Tensor, y: Tensor): Tensor => sum(mul(relu(add(mul(x, 0.5), y)), y));
    const [x, y] = [randn([1000]), randn([1000])];
    const fused = fuseElementwise(traced(f, x, y));
    // x·0.5 + y, relu, ·y are one node; the constant 0.5 (a fill) and the sum stay apart.
    assert.deepEqual(ops(fused), ['fill', 'fusedElementwise', 'reduce:sum']);
    assert.equal(nodeLabel(fused.nodes[1]!), 'fused mul → add → relu → mul');
    const compiled = jit(f);
    compiled(x, y);
    const exe = compiled.graphs[0]!.executable;
    assert.deepEqual(Array.from(compiled(x, y).dataSync()), Array.from(f(x, y).dataSync()));
    // Backends without fused kernels (the reference, the spec) run the body: the original kernels.
    const runsFused = getBackend().fusedElementwise !== undefined;
    assert.equal(exe.graph.nodes.some((n) => n.op === 'fusedElementwise'), runsFused);
    // A value read outside the chain ends it: relu's result is also returned here.
    const open = fuseElementwise(traced((a: Tensor) => { const r = relu(mul(a, a)); return add(exp(r), neg(r)); }, x));
    assert.deepEqual(ops(open), ['fusedElementwise', 'unary:exp', 'fusedElementwise']);
  });

  it('epilogue fusion takes + bias and ReLU after a product into its kernel', () => {
    const [x, w, b] = [randn([5, 4]), randn([4, 3]), randn([3])];
    const f = (xi: Tensor): Tensor => relu(add(matmul(xi, w), b));
    const fused = fuseEpilogues(traced(f, x));
    assert.deepEqual(ops(fused), ['matmul']);
    const epilogue = fused.nodes[0]!.args[3] as { bias: { value: number; shape: number[] }; relu: boolean };
    assert.equal(epilogue.relu, true);
    assert.deepEqual(epilogue.bias.shape, [3]);
    const compiled = jit(f);
    compiled(x);
    assert.deepEqual(Array.from(compiled(x).dataSync()), Array.from(f(x).dataSync()));
    // A product read elsewhere keeps its own result: nothing moves into it.
    assert.deepEqual(ops(fuseEpilogues(traced((xi: Tensor) => { const y = matmul(xi, w); return add(relu(add(y, b)), y); }, x))), ['matmul', 'binary:add', 'unary:relu', 'binary:add']);
  });

  it('the ReLU gradient goes into the max-pool gradient, with the bits of the two kernels', () => {
    manualSeed(5);
    // Negative inputs make windows whose maximum is a ReLU zero (its gradient is masked), ties included.
    const x = relu(randn([2, 7, 7, 3]));
    const xs = mul(add(randn([2, 7, 7, 3]), -0.3), 2);
    for (const options of [{ poolSize: 2 }, { poolSize: 2, strides: 1 }, { poolSize: 3, strides: 2, padding: 'same' }] as Pool2DOptions[]) {
      const f = (t: Tensor): Tensor => grad((u: Tensor) => sum(mul(maxPool2d(relu(u), options), maxPool2d(x, options))))(t);
      const g = eliminateDeadCode(traced(f, xs));
      assert.ok(ops(g).includes('pool2dBackward:max') && ops(g).includes('activationGrad:relu'));
      const fused = fusePoolReluGradients(g);
      assert.ok(ops(fused).includes('pool2dReluBackward') && !ops(fused).includes('activationGrad:relu'), ops(fused).join(' '));
      const compiled = jit(f);
      compiled(xs);
      assert.equal(compiled.graphs[0]!.optimized.nodes.filter((n) => n.op === 'pool2dReluBackward').length, 1);
      assert.deepEqual(Array.from(compiled(xs).dataSync()), Array.from(f(xs).dataSync()), JSON.stringify(options));
    }
  });

  it('a conv whose pools read fewer rows and columns than it makes computes only those, and a pool only what its convs read, gradients included', () => {
    manualSeed(8);
    const [x, w, b] = [randn([2, 10, 9, 3]), randn([3, 3, 3, 4]), randn([4])];
    // 8×7 conv maps: 2×2 windows read 8×6 of them, 3×2 windows with stride 2 read 7×6.
    for (const pool of [(y: Tensor) => maxPool2d(y, { poolSize: 2 }), (y: Tensor) => avgPool2d(y, { poolSize: 2 }), (y: Tensor) => maxPool2d(y, { poolSize: [3, 2], strides: 2 })]) {
      const loss = (xi: Tensor, wi: Tensor, bi: Tensor): Tensor => {
        const pooled = pool(fusedConv2d(xi, wi, { bias: bi, activation: 'relu' }));
        return sum(mul(pooled, pooled));
      };
      const f = (xi: Tensor, wi: Tensor, bi: Tensor): Tensor[] => {
        const { value, grads } = valueAndGrad(loss)(xi, wi, bi);
        return [value, ...grads];
      };
      const all = (xi: Tensor, wi: Tensor, bi: Tensor): Tensor => f(xi, wi, bi).map((t) => sum(t)).reduce((s, t) => add(s, t));
      const g = fusePoolReluGradients(fuseEpilogues(eliminateDeadCode(traced(all, x, w, b))));
      const cropped = cropUnreadBorders(g);
      const conv = cropped.nodes.find((n) => n.op === 'conv2d')!;
      const info = conv.args[2] as unknown as { outHeight: number; outWidth: number };
      assert.ok(info.outHeight < 8 || info.outWidth < 7, JSON.stringify(info));
      const compiled = jit((xi: Tensor, wi: Tensor, bi: Tensor) => f(xi, wi, bi));
      compiled(x, w, b);
      const optimized = compiled.graphs[0]!.optimized;
      for (const op of ['conv2d', 'conv2dBackpropInput', 'conv2dBackpropFilter']) {
        const node = optimized.nodes.find((n) => n.op === op)!;
        assert.deepEqual((node.args[2] as unknown as { outHeight: number }).outHeight, info.outHeight, op);
      }
      const [expected, got] = [f(x, w, b), compiled(x, w, b)];
      expected.forEach((e, i) => assertClose(got[i]!, e, { rtol: 1e-5, atol: 1e-5, message: `result ${i}` }));
    }
    // Two conv+pool layers: the second conv's crop leaves the first pool's last row and column unread, which crops it,
    // which crops the first conv: 14×14 → 12×12, pooled to 6×6 (from 7×7), convolved to 4×4 (from 5×5).
    const [x2, w1, w2] = [randn([2, 16, 16, 2]), randn([3, 3, 2, 4]), randn([3, 3, 4, 4])];
    const layers = (xi: Tensor, w1i: Tensor, w2i: Tensor): Tensor => {
      const pooled = maxPool2d(relu(conv2d(maxPool2d(relu(conv2d(xi, w1i)), { poolSize: 2 }), w2i)), { poolSize: 2 });
      return sum(mul(pooled, pooled));
    };
    const both = (xi: Tensor, w1i: Tensor, w2i: Tensor): Tensor[] => valueAndGrad(layers)(xi, w1i, w2i).grads;
    const twice = jit(both);
    twice(x2, w1, w2);
    const sizes = twice.graphs[0]!.optimized.nodes.filter((n) => n.op === 'conv2d' || n.op === 'pool2d').map((n) => {
      const info = n.args[2] as unknown as { inHeight: number; inWidth: number; outHeight: number; outWidth: number };
      return `${n.op} ${info.inHeight}×${info.inWidth}→${info.outHeight}×${info.outWidth}`;
    });
    assert.deepEqual(sizes, ['conv2d 16×16→12×12', 'pool2d 12×12→6×6', 'conv2d 6×6→4×4', 'pool2d 4×4→2×2']);
    const [expected, got] = [both(x2, w1, w2), twice(x2, w1, w2)];
    expected.forEach((e, i) => assertClose(got[i]!, e, { rtol: 1e-5, atol: 1e-5, message: `gradient ${i}` }));

    // Pools that read the whole map, or a conv result read elsewhere, leave the conv whole.
    const whole = (y: Tensor): Tensor => maxPool2d(y, { poolSize: 2, strides: 1 });
    const read = (xi: Tensor): Tensor => sum(whole(conv2d(xi, w)));
    const readTwice = (xi: Tensor): Tensor => { const y = conv2d(xi, w); return add(sum(maxPool2d(y, { poolSize: 2 })), sum(y)); };
    for (const fn of [read, readTwice]) {
      const g = eliminateDeadCode(traced((xi) => grad(fn)(xi), x));
      assert.equal(cropUnreadBorders(g), g);
    }
  });

  it('prints as text and draws as DOT and Mermaid', () => {
    const g = fuseElementwise(traced((x) => sum(relu(add(x, x))), randn([3])));
    assert.equal(printGraph(g), ['%0: float32[3] = input 0', '%2: float32[3] = fused add → relu(%0)', '%3: float32[1] = reduce(sum, %2, 1, 3, 1, float32)', 'return %3'].join('\n'));
    const mermaid = toMermaid(g);
    assert.match(mermaid, /^flowchart TD\n {2}v0\(\["input 0 float32\[3\]"\]\)\n {2}n0\["fused add → relu"\]:::fused\n {2}n1\["reduce sum"\]/);
    assert.match(mermaid, /v0 -->\|"\[3\]"\| n0/);
    const dot = toDot(g, 'step');
    assert.match(dot, /^digraph "step" \{/);
    assert.match(dot, /n0 -> n1 \[label="\[3\]"/);
    assert.match(dot, /\}$/);
  });

  it('the memory plan frees each buffer after its last reader', () => {
    const g = traced((x) => sum(mul(exp(relu(x)), 2)), randn([256]));
    const plan = planMemory(eliminateDeadCode(g));
    const order = ops(eliminateDeadCode(g));
    // relu's result dies at exp, exp's at mul …: at most two 1 KiB buffers are alive at once.
    assert.deepEqual(order, ['unary:relu', 'unary:exp', 'fill', 'binary:mul', 'reduce:sum']);
    assert.equal(plan.peakBytes, 2 * 1024 + 4);
    assert.equal(plan.totalBytes, 3 * 1024 + 4 + 4);
  });

  it('the memory plan gives results alive at once disjoint arena bytes, and a fused pass its dying operand\'s', () => {
    const g = fuseElementwise(eliminateDeadCode(traced((x, y) => sum(mul(relu(add(exp(x), y)), exp(y))), randn([256]), randn([256]))));
    assert.deepEqual(ops(g), ['unary:exp', 'unary:exp', 'fusedElementwise', 'reduce:sum']);
    const plan = planMemory(g);
    assertDisjoint(g, plan);
    // The sum is returned: the backend allocates it. exp(x) dies in the fused pass, which writes over it.
    assert.deepEqual(plan.offsets, [0, 1024, 0, -1]);
    assert.deepEqual(plan.slotBytes, [1024, 1024, 1024, 0]);
    assert.equal(plan.arenaBytes, 2048);
    // A longer graph: a two-layer product chain and its gradient-like tail.
    const [w1, w2] = [randn([16, 32]), randn([32, 8])];
    const long = fuseElementwise(eliminateDeadCode(traced((x) => sum(mul(relu(matmul(relu(matmul(x, w1)), w2)), 3)), randn([64, 16]))));
    const longPlan = planMemory(long);
    assertDisjoint(long, longPlan);
    assert.ok(longPlan.arenaBytes < longPlan.totalBytes, `arena ${longPlan.arenaBytes} of ${longPlan.totalBytes}`);
  });

  it('in-place updates: an Adam step over state nothing reads afterwards writes into its buffers', () => {
    const w = randn([4, 3]).requiresGrad_();
    const opt = new Adam([w], { learningRate: 0.1 });
    const step = (keepOld: boolean) => (x: Tensor): Tensor => {
      const old = w.detach();
      opt.zeroGrad();
      const loss = sum(matmul(x, w));
      loss.backward();
      opt.step();
      opt.zeroGrad();
      return keepOld ? add(loss, sum(old)) : loss;
    };
    const g = eliminateDeadCode(traced(step(false), randn([2, 4])));
    assert.deepEqual(ops(g).filter((o) => o.startsWith('adam')), ['adamStep']);
    assert.equal(g.stateWrites.length, 3);
    const inPlace = updateInPlace(g);
    assert.deepEqual(ops(inPlace).filter((o) => o.startsWith('adam')), ['adamStepInPlace']);
    assert.equal(inPlace.stateWrites.length, 0);
    // It overwrites the weights and their two slots.
    const overwritten = inPlace.nodes.find((n) => n.op === 'adamStepInPlace')!.inPlace!;
    assert.equal(overwritten.length, 3);
    assert.equal(overwritten[0], w);
    // The old weights are read after the step: the step keeps writing fresh buffers.
    const reads = eliminateDeadCode(traced(step(true), randn([2, 4])));
    assert.deepEqual(ops(updateInPlace(reads)).filter((o) => o.startsWith('adam')), ['adamStep']);
  });
});

/** Checks that results whose lifetimes overlap have disjoint arena bytes (a fused pass may take the operand it reads last). */
function assertDisjoint(graph: Graph, plan: MemoryPlan): void {
  const lastRead = new Map<number, number>();
  graph.nodes.forEach((n, i) => nodeUses(n).forEach((u) => lastRead.set(u.value, i)));
  const slots = graph.nodes.flatMap((n, i) => (plan.offsets[i]! < 0 ? [] : [{ at: i, end: lastRead.get(n.outputs[0]!) ?? i, from: plan.offsets[i]!, to: plan.offsets[i]! + plan.slotBytes[i]!, node: n }]));
  for (const a of slots) {
    assert.ok(a.to <= plan.arenaBytes);
    for (const b of slots) {
      if (b.at <= a.at) continue;
      const bReadsA = nodeUses(b.node).some((u) => u.value === a.node.outputs[0]);
      const overlapInTime = b.at < a.end || (b.at === a.end && !(b.node.op === 'fusedElementwise' && bReadsA));
      if (overlapInTime) assert.ok(a.to <= b.from || b.to <= a.from, `nodes ${a.at} and ${b.at} share arena bytes while both are alive`);
    }
  }
}
