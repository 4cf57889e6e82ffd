/**
 * jit(): traced once per input signature, replayed afterwards with the eager results; what it
 * refuses to trace; random numbers, value checks and the memory a replay holds.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  Adam, Adamax, add, CosineDecay, exp, getBackend, jit, manualSeed, matmul, memory, mul, rand, randn, relu, SGD, SparseCategoricalCrossentropy, sum, tensor, type Tensor, TraceError,
} from '../../src/index.js';
import { forEachBackend } from '../helpers/backends.js';

const bits = (t: Tensor): number[] => Array.from(t.dataSync());

forEachBackend('jit', (backend) => {
  it('replays a function with the results of eager execution and traces once per signature', () => {
    manualSeed(1);
    const w = randn([4, 3]);
    const f = (x: Tensor): Tensor => relu(add(matmul(x, w), 0.5));
    const compiled = jit(f, { cacheSize: 2 });
    for (let i = 0; i < 3; i++) {
      const x = randn([5, 4]);
      assert.deepEqual(bits(compiled(x)), bits(f(x)));
    }
    assert.equal(compiled.traces, 1);
    // A new shape traces again; with room for two signatures, the oldest one is dropped by a third.
    compiled(randn([2, 4]));
    compiled(randn([5, 4]));
    assert.equal(compiled.traces, 2);
    compiled(randn([7, 4]));
    compiled(randn([5, 4]));
    assert.equal(compiled.traces, 3);
    compiled(randn([2, 4]));
    assert.equal(compiled.traces, 4);
  });

  it('reads parameters afresh on every call (state), so updates made outside are seen', () => {
    const w = tensor([[1, 2], [3, 4]]);
    const compiled = jit((x: Tensor) => matmul(x, w));
    const x = tensor([[1, 1]]);
    compiled(x);
    w.assign(tensor([[10, 0], [0, 10]]));
    assert.deepEqual(bits(compiled(x)), [10, 10]);
  });

  it('refuses reading values and optimizers whose step numbers it would freeze, naming them', () => {
    const readsValue = jit(function readsValue(x: Tensor) {
      return x.item() > 0 ? x : mul(x, -1);
    });
    assert.throws(() => readsValue(tensor([1])), (e: Error) => e instanceof TraceError && /jit\(readsValue\): item\(\) reads tensor values/.test(e.message));
    for (const [make, pattern] of [
      [(p: Tensor) => new Adamax([p]), /Adamax\.step\(\) scales its step by a bias correction/],
      [(p: Tensor) => new SGD([p], { learningRate: new CosineDecay({ initialLearningRate: 0.1, decaySteps: 10 }) }), /SGD\.step\(\) uses a learning-rate schedule/],
    ] as const) {
      const p = randn([3]).requiresGrad_();
      const opt = make(p);
      const step = jit((x: Tensor) => {
        sum(mul(p, x)).backward();
        opt.step();
        return p;
      });
      assert.throws(() => step(randn([3])), pattern);
    }
  });

  it('draws fresh random numbers on every call, as eager code does from the same generator', () => {
    const f = (x: Tensor): Tensor => mul(x, rand([4]));
    const compiled = jit(f);
    const x = tensor([1, 2, 3, 4]);
    manualSeed(9);
    const eager = [bits(f(x)), bits(f(x)), bits(f(x))];
    manualSeed(9);
    assert.deepEqual([bits(compiled(x)), bits(compiled(x)), bits(compiled(x))], eager);
  });

  it('checks labels on every call, as the eager loss does', () => {
    const loss = new SparseCategoricalCrossentropy({ fromLogits: true });
    const compiled = jit((logits: Tensor, labels: Tensor) => loss.forward(logits, labels));
    const logits = randn([2, 3]);
    compiled(logits, tensor(new Int32Array([0, 2]), [2]));
    assert.throws(() => compiled(logits, tensor(new Int32Array([0, 3]), [2])), /label 3 at index 1 is not a class index in \[0, 3\)/);
  });

  it('trains with Adam bit for bit as eager steps do, and a replay allocates no new memory', () => {
    const setup = (): { step: (x: Tensor, y: Tensor) => Tensor; params: Tensor[] } => {
      manualSeed(4);
      const params = [randn([6, 8], { std: 0.3 }).requiresGrad_(), randn([8, 3], { std: 0.3 }).requiresGrad_()];
      const opt = new Adam(params, { learningRate: 0.05 });
      const loss = new SparseCategoricalCrossentropy({ fromLogits: true });
      const step = (x: Tensor, y: Tensor): Tensor => {
        const l = loss.forward(matmul(relu(matmul(x, params[0]!)), params[1]!), y);
        opt.zeroGrad();
        l.backward();
        opt.step();
        opt.zeroGrad();
        return l;
      };
      return { step, params };
    };
    const eager = setup();
    const compiled = setup();
    const step = jit(compiled.step);
    manualSeed(7);
    const batches = Array.from({ length: 6 }, (_, i) => [randn([10, 6]), tensor(Int32Array.from({ length: 10 }, (_, k) => (k * 7 + i) % 3), [10])] as const);
    const heap: number[] = [];
    const allocations: number[] = [];
    const counters = (): Record<string, number> => memory().backends[getBackend().name]!;
    // A user's view of a weight (sharing its buffer) keeps the old values, as after eager steps: the in-place update must not reach it.
    let [view, eagerView] = [compiled.params[0]!, eager.params[0]!];
    for (const [i, [x, y]] of batches.entries()) {
      if (i === 1) [view, eagerView] = [compiled.params[0]!.detach(), eager.params[0]!.detach()];
      const before = counters()['heapAllocations'] ?? 0;
      const loss = step(x, y);
      allocations.push((counters()['heapAllocations'] ?? 0) - before);
      assert.deepEqual(bits(loss), bits(eager.step(x, y)));
      heap.push(counters()['heapBytes'] ?? 0);
      if (i === 3) assert.deepEqual(bits(view), bits(eagerView));
      if (i === 3) view.dispose();
    }
    compiled.params.forEach((p, i) => assert.deepEqual(bits(p), bits(eager.params[i]!)));
    // The WASM memory stops growing once the graph has run (heapBytes is 0 on the reference and native backends: JS arrays, no heap).
    if (backend.startsWith('wasm')) assert.ok(heap[1]! > 0);
    assert.deepEqual(heap.slice(2), heap.slice(1, -1), `heap bytes per call: ${heap.join(', ')}`);
    // Adam updates the weights and slots in place, and the arena holds every intermediate: a replay
    // takes one buffer from the WASM heap, for the loss it returns (the weight with a view takes a
    // copy of its own first, once).
    const graph = step.graphs[0]!.executable.graph;
    assert.equal(graph.stateWrites.length, 0);
    assert.equal(graph.nodes.filter((n) => n.op === 'adamStepInPlace').length, 2);
    if (backend.startsWith('wasm')) assert.deepEqual(allocations.slice(1), [2, 1, 1, 1, 1], `heap allocations per call: ${allocations.join(', ')}`);
  });

  it('keeps one arena per compiled signature and hands it back when the signature leaves the cache', () => {
    const arenaBytes = (): number => memory().backends[getBackend().name]!['arenaBytes'] ?? 0;
    const before = arenaBytes();
    const compiled = jit((x: Tensor) => sum(exp(mul(add(x, 1), 2))), { cacheSize: 1 });
    compiled(randn([4096]));
    const first = compiled.graphs[0]!.executable.plan.arenaBytes;
    // exp's result and the fused pass's share bytes: two 16 KiB results alive at once at most.
    assert.ok(first > 0 && first <= 2 * 16384, `arena ${first}`);
    if (backend.startsWith('wasm')) assert.ok(arenaBytes() - before >= first);
    compiled(randn([64]));
    // The first signature's arena went with it; the reference and native backends hold none.
    const second = compiled.graphs[0]!.executable.plan.arenaBytes;
    if (backend.startsWith('wasm')) assert.ok(arenaBytes() - before >= second && arenaBytes() - before < first, `arena bytes ${arenaBytes() - before}`);
    else assert.equal(arenaBytes(), 0);
  });

  it('leaves intermediate buffers to the memory plan: a replay holds only its results afterwards', () => {
    const compiled = jit((x: Tensor) => sum(exp(mul(add(x, 1), 2))));
    const x = randn([64]);
    compiled(x).dispose();
    const before = memory().buffers;
    compiled(x).dispose();
    assert.equal(memory().buffers, before);
    const plan = compiled.graphs[0]!.executable.plan;
    assert.ok(plan.peakBytes < plan.totalBytes, `peak ${plan.peakBytes} of ${plan.totalBytes}`);
  });
});
