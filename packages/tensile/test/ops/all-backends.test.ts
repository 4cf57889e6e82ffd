/**
 * Every registered op runs on every backend: each op's case (from the gradient table or the
 * forward-only table) is evaluated on each backend and compared with the reference backend in float32.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as t from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';
import type { Maker } from '../autograd/op-specs.js';
import { OP_SPECS } from '../autograd/op-specs.js';
import { VALUE_SPECS } from '../autograd/value-specs.js';
import '../helpers/native-backend.js';
import '../helpers/single-thread-wasm.js';

function maker(backend: string): Maker {
  const g = new t.Generator(3);
  const draw = (shape: number[], f: () => number): Tensor =>
    t.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, f), shape, { dtype: 'float32', backend });
  return {
    uniform: (shape, lo = -1, hi = 1) => draw(shape, () => lo + (hi - lo) * g.random()),
    away: (shape) => draw(shape, () => (0.2 + 0.8 * g.random()) * (g.random() < 0.5 ? -1 : 1)),
    positive: (shape) => draw(shape, () => 0.5 + 1.5 * g.random()),
    ints: (values, shape) => t.tensor(values, shape ?? [values.length], { dtype: 'int32', backend }),
  };
}

const CASES = { ...OP_SPECS, ...VALUE_SPECS };

describe('op coverage', () => {
  it('every registered op has a case', () => {
    const missing = [...t.registeredOps().keys()].filter((name) => !(name in CASES));
    assert.deepEqual(missing, []);
  });
});

for (const backend of t.backendNames()) {
  describe(`every op on ${backend}`, () => {
    for (const [name, spec] of Object.entries(CASES)) {
      it(name, () => {
        const out = spec.fn(...spec.inputs(maker(backend)));
        assert.equal(out.backend.name, backend, `${name} result left the backend`);
        const expected = spec.fn(...spec.inputs(maker('reference')));
        assert.equal(out.dtype, expected.dtype);
        assertClose(out, expected, { rtol: 1e-4, atol: 1e-5, message: name });
      });
    }
  });
}
