/**
 * The fused Adam step (Backend.adamStep) against the composite update written with ops: the same
 * bits on every backend, for lengths with a SIMD tail and lengths split across threads.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Adam, AdamW, CosineDecay, getBackend, type Optimizer, type Tensor, tensor } from '../../src/index.js';
import { forEachBackend } from '../helpers/backends.js';

const values = (n: number, phase: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + phase) * (1 + (i % 7)));

/** Three steps of `make`'s optimizer with the given gradients; counts the backend's fused calls (in place or not). */
function optimise(make: (p: Tensor) => Optimizer, n: number): { p: Float32Array; fusedCalls: number } {
  const backend = getBackend();
  const [original, originalInPlace] = [backend.adamStep, backend.adamStepInPlace];
  let fusedCalls = 0;
  // A backend's in-place step may run its out-of-place one inside (the reference backend does): one call.
  let inPlace = false;
  if (original) {
    backend.adamStep = (...args) => {
      if (!inPlace) fusedCalls++;
      return original.apply(backend, args);
    };
  }
  if (originalInPlace) {
    backend.adamStepInPlace = (...args) => {
      fusedCalls++;
      inPlace = true;
      try {
        originalInPlace.apply(backend, args);
      } finally {
        inPlace = false;
      }
    };
  }
  try {
    const p = tensor(values(n, 0)).requiresGrad_();
    const opt = make(p);
    for (let step = 1; step <= 3; step++) {
      p.grad = tensor(values(n, step));
      opt.step();
    }
    return { p: p.dataSync() as Float32Array, fusedCalls };
  } finally {
    if (original) backend.adamStep = original;
    if (originalInPlace) backend.adamStepInPlace = originalInPlace;
  }
}

/** The same three steps, op by op. */
function composite(n: number, rate: (step: number) => number, decay: number): Float32Array {
  let p = tensor(values(n, 0));
  let m = tensor(new Float32Array(n));
  let v = tensor(new Float32Array(n));
  for (let t = 1; t <= 3; t++) {
    const lr = rate(t - 1);
    const g = tensor(values(n, t));
    if (decay) p = p.sub(p.mul(lr * decay));
    m = m.mul(0.9).add(g.mul(1 - 0.9));
    v = v.mul(0.999).add(g.square().mul(1 - 0.999));
    p = p.sub(m.div(1 - 0.9 ** t).div(v.div(1 - 0.999 ** t).sqrt().add(1e-7)).mul(lr));
  }
  return p.dataSync() as Float32Array;
}

forEachBackend('fused Adam step', (backend) => {
  for (const n of [7, 70001]) {
    it(`Adam on ${n} elements: the composite update's bits, in one fused call per step`, () => {
      const { p, fusedCalls } = optimise((q) => new Adam([q], { learningRate: 0.01 }), n);
      assert.deepEqual(p, composite(n, () => 0.01, 0));
      assert.equal(fusedCalls, 3, `${backend} has a fused step`);
    });
  }

  it('updates a parameter in place only when no other tensor views its buffer', () => {
    const p = tensor(values(70001, 0)).requiresGrad_();
    const view = p.reshape([70001]);
    const before = view.dataSync();
    const opt = new Adam([p], { learningRate: 0.01 });
    p.grad = tensor(values(70001, 1));
    opt.step();
    assert.deepEqual(view.dataSync(), before, 'a tensor sharing the old buffer keeps the old values');
    assert.notDeepEqual(p.dataSync(), before);
  });

  it('AdamW with a cosine schedule: decay, then the fused step, as the composite does', () => {
    const schedule = new CosineDecay({ initialLearningRate: 0.02, decaySteps: 3 });
    const { p } = optimise((q) => new AdamW([q], { learningRate: schedule, weightDecay: 0.1 }), 70001);
    assert.deepEqual(p, composite(70001, (step) => schedule.at(step), 0.1));
  });
});
