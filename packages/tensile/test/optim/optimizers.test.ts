/**
 * Each optimizer against a scalar re-statement of its published update rule, three steps on
 * f(p) = Σ p²/2 (so g = p), plus schedules, clipping and plateau reduction.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Adadelta, Adagrad, Adam, Adamax, AdamW, clipGradNorm, clipGradValue, CosineDecay, ExponentialDecay, OneCycle, type Optimizer, ReduceLROnPlateauScheduler, RMSprop,
  SGD, StepDecay, tensor, optimizerFromConfig,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';

type Rule = (p: number, g: number, state: Record<string, number>, t: number) => number;

const START = [1.5, -0.5, 0.25];

function runOptimizer(make: (params: ReturnType<typeof tensor>[]) => Optimizer, steps = 3): Float32Array {
  const p = tensor(START).requiresGrad_();
  const opt = make([p]);
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    p.square().sum().mul(0.5).backward();
    opt.step();
  }
  return p.dataSync() as Float32Array;
}

function runRule(rule: Rule, steps = 3): number[] {
  return START.map((p0) => {
    let p = p0;
    const state: Record<string, number> = {};
    for (let t = 1; t <= steps; t++) p = rule(p, p, state, t);
    return p;
  });
}

const lr = 0.1;
const CASES: [string, (ps: ReturnType<typeof tensor>[]) => Optimizer, Rule][] = [
  ['SGD', (ps) => new SGD(ps, { learningRate: lr }), (p, g) => p - lr * g],
  ['SGD momentum', (ps) => new SGD(ps, { learningRate: lr, momentum: 0.9 }), (p, g, s) => p - lr * (s['v'] = 0.9 * (s['v'] ?? 0) + g)],
  ['SGD Nesterov', (ps) => new SGD(ps, { learningRate: lr, momentum: 0.9, nesterov: true }), (p, g, s) => {
    s['v'] = 0.9 * (s['v'] ?? 0) + g;
    return p - lr * (g + 0.9 * s['v']);
  }],
  ['SGD weight decay (decoupled)', (ps) => new SGD(ps, { learningRate: lr, weightDecay: 0.5 }), (p, g) => p - lr * 0.5 * p - lr * g],
  ['Adam', (ps) => new Adam(ps, { learningRate: lr }), (p, g, s, t) => {
    s['m'] = 0.9 * (s['m'] ?? 0) + 0.1 * g;
    s['v'] = 0.999 * (s['v'] ?? 0) + 0.001 * g * g;
    return p - (lr * (s['m'] / (1 - 0.9 ** t))) / (Math.sqrt(s['v'] / (1 - 0.999 ** t)) + 1e-7);
  }],
  ['AdamW', (ps) => new AdamW(ps, { learningRate: lr, weightDecay: 0.1 }), (p, g, s, t) => {
    const decayed = p - lr * 0.1 * p;
    s['m'] = 0.9 * (s['m'] ?? 0) + 0.1 * g;
    s['v'] = 0.999 * (s['v'] ?? 0) + 0.001 * g * g;
    return decayed - (lr * (s['m'] / (1 - 0.9 ** t))) / (Math.sqrt(s['v'] / (1 - 0.999 ** t)) + 1e-7);
  }],
  ['Adamax', (ps) => new Adamax(ps, { learningRate: lr }), (p, g, s, t) => {
    s['m'] = 0.9 * (s['m'] ?? 0) + 0.1 * g;
    s['u'] = Math.max(0.999 * (s['u'] ?? 0), Math.abs(g));
    return p - ((lr / (1 - 0.9 ** t)) * s['m']) / (s['u'] + 1e-7);
  }],
  ['RMSprop', (ps) => new RMSprop(ps, { learningRate: lr }), (p, g, s) => {
    s['v'] = 0.9 * (s['v'] ?? 0) + 0.1 * g * g;
    return p - (lr * g) / (Math.sqrt(s['v']) + 1e-7);
  }],
  ['RMSprop centered + momentum', (ps) => new RMSprop(ps, { learningRate: lr, centered: true, momentum: 0.5 }), (p, g, s) => {
    s['v'] = 0.9 * (s['v'] ?? 0) + 0.1 * g * g;
    s['mg'] = 0.9 * (s['mg'] ?? 0) + 0.1 * g;
    s['b'] = 0.5 * (s['b'] ?? 0) + (lr * g) / (Math.sqrt(s['v'] - s['mg'] * s['mg']) + 1e-7);
    return p - s['b'];
  }],
  ['Adagrad', (ps) => new Adagrad(ps, { learningRate: lr }), (p, g, s) => {
    s['a'] = (s['a'] ?? 0.1) + g * g;
    return p - (lr * g) / (Math.sqrt(s['a']) + 1e-7);
  }],
  ['Adadelta', (ps) => new Adadelta(ps, { learningRate: 1 }), (p, g, s) => {
    s['g'] = 0.95 * (s['g'] ?? 0) + 0.05 * g * g;
    const delta = (Math.sqrt((s['d'] ?? 0) + 1e-7) / Math.sqrt(s['g'] + 1e-7)) * g;
    s['d'] = 0.95 * (s['d'] ?? 0) + 0.05 * delta * delta;
    return p - delta;
  }],
];

describe('optimizers follow their update rules', () => {
  for (const [name, make, rule] of CASES) {
    it(name, () => assertClose(runOptimizer(make), runRule(rule), { rtol: 1e-5, atol: 1e-6 }));
  }

  it('state round-trips: a restored optimizer continues exactly', () => {
    const p = tensor(START).requiresGrad_();
    const opt = new Adam([p], { learningRate: lr });
    const step = (o: Optimizer, param: ReturnType<typeof tensor>): void => {
      o.zeroGrad();
      param.square().sum().mul(0.5).backward();
      o.step();
    };
    step(opt, p);
    const q = tensor([...p.dataSync()]).requiresGrad_();
    const copy = optimizerFromConfig(opt.getConfig()).attach([q]);
    copy.loadStateDict(opt.stateDict());
    step(opt, p);
    step(copy, q);
    assertClose(q, p, { rtol: 0, atol: 0 });
    assert.equal(copy.iterations, 2);
  });
});

describe('learning-rate schedules', () => {
  it('step, exponential, cosine with warm-up, one-cycle', () => {
    const step = new StepDecay({ initialLearningRate: 1, stepSize: 10, gamma: 0.5 });
    assert.deepEqual([0, 9, 10, 25].map((s) => step.at(s)), [1, 1, 0.5, 0.25]);
    const exp = new ExponentialDecay({ initialLearningRate: 1, decaySteps: 10, decayRate: 0.1 });
    assert.ok(Math.abs(exp.at(5) - 0.1 ** 0.5) < 1e-12);
    const cosine = new CosineDecay({ initialLearningRate: 1, decaySteps: 100, warmupSteps: 10, alpha: 0.1 });
    assert.equal(cosine.at(4), 0.5);
    assert.equal(cosine.at(10), 1);
    assert.ok(Math.abs(cosine.at(60) - 0.55) < 1e-12);
    assert.ok(Math.abs(cosine.at(500) - 0.1) < 1e-12);
    const cycle = new OneCycle({ maxLearningRate: 1, totalSteps: 100 });
    assert.ok(Math.abs(cycle.at(0) - 0.04) < 1e-12);
    assert.ok(Math.abs(cycle.at(29) - 1) < 1e-12);
    assert.ok(cycle.at(99) < 1e-5);
  });

  it('an optimizer follows its schedule step by step', () => {
    const p = tensor([1]).requiresGrad_();
    const opt = new SGD([p], { learningRate: new StepDecay({ initialLearningRate: 0.5, stepSize: 1, gamma: 0.5 }) });
    for (const expected of [0.5, 0.25, 0.125]) {
      assert.equal(opt.currentLearningRate, expected);
      p.grad = tensor([0]);
      opt.step();
    }
  });

  it('reduce-on-plateau lowers the rate after `patience` epochs without improvement', () => {
    const opt = new SGD([tensor([1]).requiresGrad_()], { learningRate: 1 });
    const plateau = new ReduceLROnPlateauScheduler(opt, { factor: 0.5, patience: 2 });
    const reductions = [3, 2, 2, 2, 2, 2].map((v) => plateau.step(v));
    assert.deepEqual(reductions, [null, null, null, 0.5, null, 0.25]);
  });
});

describe('gradient clipping', () => {
  it('by global norm and by value', () => {
    const a = tensor([3, 0]).requiresGrad_();
    const b = tensor([4]).requiresGrad_();
    a.grad = tensor([3, 0]);
    b.grad = tensor([4]);
    assert.equal(clipGradNorm([a, b], 1), 5);
    assertClose(a.grad, [0.6, 0], { atol: 1e-6 });
    assertClose(b.grad, [0.8], { atol: 1e-6 });
    b.grad = tensor([-4]);
    clipGradValue([b], 2);
    assertClose(b.grad, [-2]);
  });

  it('optimizers clip when asked', () => {
    const p = tensor([0]).requiresGrad_();
    const opt = new SGD([p], { learningRate: 1, clipNorm: 1 });
    p.grad = tensor([10]);
    opt.step();
    assertClose(p, [-1], { atol: 1e-5 });
  });
});
