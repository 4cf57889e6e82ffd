/**
 * Every differentiable op against central finite differences in float64 on the reference backend,
 * and every other backend's float32 gradients against the reference's.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as t from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';
import { OP_SPECS } from './op-specs.js';
import type { Maker } from './op-specs.js';
import '../helpers/native-backend.js';
import '../helpers/single-thread-wasm.js';

function maker(seed: number, backend: string, dtype: 'float32' | 'float64'): Maker {
  const g = new t.Generator(seed);
  const draw = (shape: number[], f: () => number): Tensor => {
    const n = shape.reduce((a, b) => a * b, 1);
    return t.tensor(Array.from({ length: n }, f), shape, { dtype, backend });
  };
  return {
    uniform: (shape, lo = -1, hi = 1) => draw(shape, () => lo + (hi - lo) * g.random()),
    away: (shape) => draw(shape, () => (0.2 + 0.8 * g.random()) * (g.random() < 0.5 ? -1 : 1)),
    positive: (shape) => draw(shape, () => 0.5 + 1.5 * g.random()),
    ints: (values, shape) => t.tensor(values, shape ?? [values.length], { dtype: 'int32', backend }),
  };
}

function isFloat(x: Tensor): boolean {
  return x.dtype === 'float32' || x.dtype === 'float64';
}

/** L = Σ f(xs) ⊙ W for fixed random W, so every output element contributes to the check. */
function objective(name: string, xs: Tensor[], weightsSeed: number): { value: () => number; analytic: Tensor[] } {
  const spec = OP_SPECS[name]!;
  const out = spec.fn(...xs);
  const w = maker(weightsSeed, out.backend.name, out.dtype as 'float32' | 'float64').uniform([...out.shape], 0.5, 1.5);
  const lossOf = (ys: Tensor[]): Tensor => t.sum(t.mul(spec.fn(...ys), w));
  const diff = xs.filter(isFloat).map((x) => x.detach().requiresGrad_());
  const inputs = (): Tensor[] => {
    let k = 0;
    return xs.map((x) => (isFloat(x) ? diff[k++]! : x));
  };
  const analytic = t.gradients(lossOf(inputs()), diff);
  return { value: () => t.noGrad(() => lossOf(xs).item()), analytic };
}

const DEFAULT_TOLERANCE = { eps: 1e-6, rtol: 1e-5, atol: 1e-6 };

describe('gradient checks (float64, reference backend, central differences)', () => {
  for (const name of Object.keys(OP_SPECS)) {
    it(name, () => {
      const { eps, rtol, atol } = OP_SPECS[name]!.tolerance ?? DEFAULT_TOLERANCE;
      const xs = OP_SPECS[name]!.inputs(maker(11, 'reference', 'float64'));
      const { analytic } = objective(name, xs, 5);
      let k = 0;
      for (const x of xs.filter(isFloat)) {
        const base = x.dataSync() as Float64Array;
        const numeric = new Float64Array(base.length);
        for (let i = 0; i < base.length; i++) {
          const at = (v: number): number => {
            const probe = base.slice();
            probe[i] = v;
            const moved = xs.map((y) => (y === x ? t.tensor(probe, [...x.shape], { dtype: 'float64', backend: 'reference' }) : y));
            const spec = OP_SPECS[name]!;
            const out = spec.fn(...moved);
            const w = maker(5, 'reference', 'float64').uniform([...out.shape], 0.5, 1.5);
            return t.sum(t.mul(out, w)).item();
          };
          numeric[i] = (at(base[i]! + eps) - at(base[i]! - eps)) / (2 * eps);
        }
        assertClose(analytic[k]!, numeric, { rtol, atol, message: `${name} input ${k}` });
        k++;
      }
    });
  }
});

describe('gradient coverage', () => {
  it('every registered differentiable op has a gradient check', () => {
    const missing = [...t.registeredOps()].filter(([name, kind]) => kind === 'differentiable' && !(name in OP_SPECS)).map(([n]) => n);
    assert.deepEqual(missing, [], `differentiable ops without a gradient check: ${missing.join(', ')}`);
    const differentiable = [...t.registeredOps().values()].filter((k) => k === 'differentiable').length;
    console.log(`# ops: ${t.registeredOps().size} registered, ${differentiable} differentiable, ${differentiable} gradient-checked (100%)`);
  });
});

for (const backend of t.backendNames().filter((b) => b !== 'reference')) {
  describe(`gradients on ${backend} match the reference (float32)`, () => {
    for (const name of Object.keys(OP_SPECS)) {
      it(name, () => {
        const ref = objective(name, OP_SPECS[name]!.inputs(maker(11, 'reference', 'float32')), 5).analytic;
        const other = objective(name, OP_SPECS[name]!.inputs(maker(11, backend, 'float32')), 5).analytic;
        other.forEach((g, i) => assertClose(g, ref[i]!, { rtol: 2e-3, atol: 2e-4, message: `${name} input ${i}` }));
      });
    }
  });
}
