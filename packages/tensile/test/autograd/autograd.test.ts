/** PyTorch semantics of backward/.grad, functional transforms, and second derivatives. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as t from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { record } from '../../src/autograd/graph.js';
import { assertClose } from '../helpers/assert.js';

const f64 = (v: number[]): Tensor => t.tensor(v, undefined, { dtype: 'float64', backend: 'reference' });

describe('backward', () => {
  it('accumulates into .grad until zeroed', () => {
    const x = t.tensor([1, 2, 3]).requiresGrad_();
    t.sum(t.square(x)).backward(); // d/dx Σx² = 2x
    assertClose(x.grad!, [2, 4, 6]);
    t.sum(x).backward();
    assertClose(x.grad!, [3, 5, 7]);
    x.zeroGrad();
    assert.equal(x.grad, null);
  });
  it('takes an upstream gradient for non-scalar outputs and rejects a missing one', () => {
    const x = t.tensor([1, 2]).requiresGrad_();
    const y = t.mul(x, 3);
    assert.throws(() => y.backward(), /non-scalar output \[2\]/);
    y.backward(t.tensor([1, 10]));
    assertClose(x.grad!, [3, 30]);
  });
  it('frees the graph unless retained', () => {
    const x = t.tensor([1]).requiresGrad_();
    const y = t.sum(t.exp(x));
    y.backward(undefined, { retainGraph: true });
    y.backward();
    assertClose(x.grad!, [2 * Math.E]);
    assert.throws(() => y.backward(), t.GradError);
  });
  it('detach and noGrad cut the graph', () => {
    const x = t.tensor([2]).requiresGrad_();
    assert.equal(t.noGrad(() => t.mul(x, x)).requiresGrad, false);
    const y = t.add(t.mul(x.detach(), x), 0); // only one factor is tracked: dy/dx = 2
    y.sum().backward();
    assertClose(x.grad!, [2]);
    assert.throws(() => t.sum(x.detach()).backward(), /does not require a gradient/);
  });
  it('does not record for int tensors and refuses requiresGrad on them', () => {
    assert.throws(() => t.tensor([1], undefined, { dtype: 'int32' }).requiresGrad_(), t.DTypeError);
  });
  it('frees each intermediate gradient once passed on, and each rule\'s temporaries: live memory stays flat through a long chain', () => {
    // A probe op that copies its input and, in backward, notes the bytes alive at that moment.
    const live: number[] = [];
    const probe = (x: Tensor): Tensor =>
      record('probe', t.noGrad(() => t.mul(x, 1)), [x], (dy) => {
        live.push(t.memory().bytes);
        return [t.mul(dy, 1)];
      });
    const x = t.ones([4096]).requiresGrad_();
    let y = x;
    for (let layer = 0; layer < 12; layer++) y = probe(t.mul(y, 1.01));
    t.sum(y).backward();
    assertClose(t.slice(x.grad!, [[0, 1]]), [1.01 ** 12], { rtol: 1e-5 });
    const grown = live.at(-1)! - live[0]!;
    // Kept until the sweep ended, each layer's gradients and its rules' temporaries added ~45 KB (540 KB here).
    assert.ok(grown <= 4096 * 4, `live bytes grew by ${grown} B over ${live.length} layers of backward`);
  });
  it('keeps a gradient that a backward rule passes on as is, and what the leaves received', () => {
    const x = t.tensor([1, 2]).requiresGrad_();
    const h = t.mul(x, 2);
    // add's rule hands the same gradient to both inputs; one path ends at the leaf x, one goes on through h.
    t.sum(t.add(t.add(x, h), h)).backward();
    assertClose(x.grad!, [5, 5]);
  });
  it('sums gradients of a tensor used twice, including through broadcasting', () => {
    const w = t.tensor([[1], [2]]).requiresGrad_();
    t.sum(t.add(t.mul(w, t.ones([2, 3])), w)).backward();
    assertClose(w.grad!, [6, 6]); // 3 from the broadcast product, 3 from the broadcast sum
  });
});

describe('functional transforms', () => {
  it('valueAndGrad returns the value and gradients of each argument', () => {
    const f = (a: Tensor, b: Tensor): Tensor => t.sum(t.mul(a, b));
    const { value, grads } = t.valueAndGrad(f)(t.tensor([1, 2]), t.tensor([3, 4]));
    assert.equal(value.item(), 11);
    assertClose(grads[0]!, [3, 4]);
    assertClose(grads[1]!, [1, 2]);
  });
  it('grad leaves no graph and no .grad behind', () => {
    const x = t.tensor([1, 2]);
    t.grad((a: Tensor) => t.sum(t.square(a)))(x);
    assert.equal(x.grad, null);
    assert.equal(x.requiresGrad, false);
  });

  // Second derivatives against the analytic forms, at several points.
  const points = f64([-1.5, -0.3, 0, 0.7, 2]);
  const second = (f: (x: Tensor) => Tensor): Tensor => t.grad((x: Tensor) => t.sum(t.grad((y: Tensor) => t.sum(f(y)))(x)))(points);
  const analytic = (g: (x: number) => number): number[] => [...points.dataSync()].map(g);
  const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
  it("tanh'' = −2 tanh (1 − tanh²)", () => {
    assertClose(second(t.tanh), analytic((x) => -2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2)), { rtol: 1e-10, atol: 1e-12 });
  });
  it("sigmoid'' = σ(1 − σ)(1 − 2σ)", () => {
    assertClose(second(t.sigmoid), analytic((x) => sigmoid(x) * (1 - sigmoid(x)) * (1 - 2 * sigmoid(x))), { rtol: 1e-10, atol: 1e-12 });
  });
  it("exp'' = exp", () => {
    assertClose(second(t.exp), analytic(Math.exp), { rtol: 1e-12 });
  });
  it("softplus'' = σ(1 − σ)", () => {
    assertClose(second(t.softplus), analytic((x) => sigmoid(x) * (1 - sigmoid(x))), { rtol: 1e-10, atol: 1e-12 });
  });
  it("elu'' = eˣ below 0, 0 above", () => {
    assertClose(second((x) => t.elu(x)), analytic((x) => (x > 0 ? 0 : Math.exp(x))), { rtol: 1e-10, atol: 1e-12 });
  });
  it("softsign'' = −2 sign(x) / (1 + |x|)³", () => {
    assertClose(second(t.softsign), analytic((x) => (-2 * Math.sign(x)) / (1 + Math.abs(x)) ** 3), { rtol: 1e-10, atol: 1e-12 });
  });
  it('third derivative of x⁴ is 24x', () => {
    const d3 = t.grad((x: Tensor) => t.sum(t.grad((y: Tensor) => t.sum(t.grad((z: Tensor) => t.sum(t.pow(z, 4)))(y)))(x)))(points);
    assertClose(d3, analytic((x) => 24 * x), { rtol: 1e-10, atol: 1e-12 });
  });
  it('second derivatives flow through conv2d (createGraph)', () => {
    const x = t.randn([1, 4, 4, 1], { dtype: 'float64', backend: 'reference', generator: new t.Generator(2) }).requiresGrad_();
    const w = t.randn([2, 2, 1, 1], { dtype: 'float64', backend: 'reference', generator: new t.Generator(3) });
    // L = Σ conv(x,w)²  ⇒ ∂L/∂x is linear in x, so the Hessian-vector product with v=1 is ∂/∂x Σ ∂L/∂x.
    const [gx] = t.gradients(t.sum(t.square(t.conv2d(x, w))), [x], { createGraph: true });
    const [hv] = t.gradients(t.sum(gx!), [x]);
    const eps = 1e-6;
    const gradAt = (shift: number): Float64Array => {
      const xs = t.add(x.detach(), shift).requiresGrad_();
      return t.gradients(t.sum(t.square(t.conv2d(xs, w))), [xs])[0]!.dataSync() as Float64Array;
    };
    const plus = gradAt(eps);
    const minus = gradAt(-eps);
    // Σᵢ ∂²L/∂xⱼ∂xᵢ = d/dε (∂L/∂xⱼ)(x + ε·1)
    assertClose(hv!, plus.map((p, i) => (p - minus[i]!) / (2 * eps)), { rtol: 1e-5, atol: 1e-6 });
  });
});
