/**
 * The memory model: no tidy() needed. 10,000 training iterations without a single dispose keep live
 * bytes bounded, because storage follows the tensor objects' lifetimes (FinalizationRegistry).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { PerformanceObserver } from 'node:perf_hooks';
import * as t from '../../src/index.js';
import { forEachBackend } from '../helpers/backends.js';

const gc = (globalThis as { gc?: () => void }).gc;

/** Collects garbage and lets finalizers run. */
async function collect(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc!();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Garbage collections (of either generation) V8 runs during `work`. */
async function countCollections(work: () => void): Promise<number> {
  let count = 0;
  const observer = new PerformanceObserver((list) => {
    count += list.getEntries().length;
  });
  observer.observe({ entryTypes: ['gc'] });
  work();
  // GC entries are delivered asynchronously.
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  return count;
}

forEachBackend('memory', (backend) => {
  it('10,000 forward+backward iterations without dispose stay bounded', { skip: gc ? false : 'run node with --expose-gc' }, async () => {
    const g = new t.Generator(1);
    const x = t.randn([32, 16], { generator: g });
    const labels = t.randint(0, 4, [32], { generator: g });
    const w1 = t.mul(t.randn([16, 32], { generator: g }), 0.2).requiresGrad_();
    const w2 = t.mul(t.randn([32, 4], { generator: g }), 0.2).requiresGrad_();
    const samples: { tensors: number; bytes: number }[] = [];
    let firstLoss = 0;
    let lastLoss = 0;
    for (let step = 1; step <= 10_000; step++) {
      const loss = t.softmaxCrossEntropy(t.matmul(t.relu(t.matmul(x, w1)), w2), labels);
      loss.backward();
      t.noGrad(() => {
        w1.assign(t.sub(w1, t.mul(w1.grad!, 0.05)));
        w2.assign(t.sub(w2, t.mul(w2.grad!, 0.05)));
      });
      w1.zeroGrad();
      w2.zeroGrad();
      if (step === 1) firstLoss = loss.item();
      if (step % 1000 === 0) {
        lastLoss = loss.item();
        await collect();
        const m = t.memory().backends[backend]!;
        samples.push({ tensors: m.tensors, bytes: m.bytes });
      }
    }
    const report = samples.map((s) => `${s.tensors}/${s.bytes}B`).join(' ');
    console.log(`# live tensors/bytes on ${backend} every 1,000 steps: ${report}`);
    assert.ok(lastLoss < firstLoss, `the model trained (${firstLoss} → ${lastLoss})`);
    const peak = Math.max(...samples.map((s) => s.bytes));
    assert.ok(peak <= 2 * samples[0]!.bytes + 4096, `live bytes grew: ${report}`);
    assert.ok(samples[samples.length - 1]!.tensors <= samples[0]!.tensors + 16, `live tensors grew: ${report}`);
  });

  // A 4 MB tensor outside the JS heap carries a 1 MB pressure ArrayBuffer; 512 KB ones share 1 MB
  // buffers, one per 4 MB of them. When every tensor is disposed, the next ones take the freed
  // buffers, so the external memory V8 sees stays flat and gives V8 no reason to collect (fresh
  // buffers for the large tensors: 13 collections in their loop).
  for (const { what, elements, steps } of [
    { what: 'large', elements: 1 << 20, steps: 200 },
    { what: 'mid-sized', elements: 1 << 17, steps: 2000 },
  ]) {
    it(`disposed ${what} tensors pass their collector pressure on instead of piling it up`, async (context) => {
      if (!t.getBackend().externalMemory) {
        context.skip('buffers live in the JS heap; no pressure buffers');
        return;
      }
      t.scope(() => void t.add(t.zeros([elements]), 1));
      const collections = await countCollections(() => {
        for (let step = 0; step < steps; step++) t.scope(() => void t.add(t.zeros([elements]), 1));
      });
      assert.ok(collections <= 3, `${collections} garbage collections in ${steps} steps of disposed tensors`);
    });
  }

  it('mid-sized tensors dropped without dispose in an async loop are collected in time', async (context) => {
    if (!t.getBackend().externalMemory) {
      context.skip('buffers live in the JS heap; the collector sees them');
      return;
    }
    // 6 GB of 512 KB tensors, never disposed and no gc() call: only the shared pressure buffers tell
    // V8 that the WASM memory fills (without them this loop ran out of the 2 GiB memory).
    const source = t.ones([1 << 17]);
    let peak = 0;
    for (let step = 0; step < 3000; step++) {
      for (let k = 0; k < 4; k++) t.add(source, k);
      await new Promise((resolve) => setImmediate(resolve));
      peak = Math.max(peak, t.memory().backends[backend]!.heapBytes!);
    }
    assert.ok(peak < 1 << 30, `WASM memory grew to ${peak} bytes`);
  });

  it('dispose frees at once, scope frees what it does not return, keep survives', () => {
    const before = t.memory().backends[backend]?.bytes ?? 0;
    const a = t.ones([1000]);
    assert.equal(t.memory().backends[backend]!.bytes - before, 4000);
    const view = t.reshape(a, [10, 100]);
    a.dispose();
    assert.equal(t.memory().backends[backend]!.bytes - before, 4000, 'the view keeps the storage alive');
    view.dispose();
    assert.equal(t.memory().backends[backend]!.bytes, before);
    assert.throws(() => view.dataSync(), t.DisposedError);

    let kept: t.Tensor | undefined;
    const result = t.scope(() => {
      const tmp = t.ones([250]);
      kept = t.mul(tmp, 2).keep();
      return { out: t.add(tmp, 1) };
    });
    assert.equal(t.memory().backends[backend]!.bytes - before, 2000);
    assert.deepEqual(result.out.dataSync().slice(0, 2), Float32Array.from([2, 2]));
    result.out.dispose();
    kept!.dispose();
    assert.equal(t.memory().backends[backend]!.bytes, before);
  });
});
