import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Add, BatchNormalization, Concatenate, Conv2D, Dense, Dropout, Flatten, Input, Linear, manualSeed, Model, Module, ones, parameter, randn, Sequential,
  ShapeError, StateDictError, type Tensor, zeros, initialize, INITIALIZERS, regularizationPenalty, eye,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';

class TwoLayer extends Module {
  hidden = new Linear(4, 3);
  out = new Linear(3, 2);
  scale = parameter(ones([2]));

  forward(x: Tensor): Tensor {
    return this.out.forward(this.hidden.forward(x)).mul(this.scale);
  }
}

describe('Module', () => {
  it('discovers parameters, buffers and children by property name', () => {
    const net = new TwoLayer();
    assert.deepEqual(net.namedParameters().map(([n]) => n), ['scale', 'hidden.kernel', 'hidden.bias', 'out.kernel', 'out.bias']);
    const bn = new BatchNormalization();
    bn.forward(randn([4, 3]));
    assert.deepEqual(bn.namedBuffers().map(([n]) => n), ['movingMean', 'movingVariance']);
    assert.deepEqual(Object.keys(bn.stateDict()), ['gamma', 'beta', 'movingMean', 'movingVariance']);
    assert.equal(net.countParameters(), 2 + 15 + 8);
  });

  it('train() and eval() switch every descendant', () => {
    const model = new Sequential([new Dense({ units: 2, inputShape: [3] }), new Dropout({ rate: 0.5 })]);
    model.eval();
    assert.ok(model.layers.every((l) => !l.training));
    const x = ones([4, 3]);
    assertClose(model.forward(x), model.forward(x));
    model.train();
    assert.ok(model.layers.every((l) => l.training));
  });

  it('loadStateDict copies values and names missing, unexpected and mis-shaped keys', () => {
    const a = new TwoLayer();
    const b = new TwoLayer();
    b.loadStateDict(a.stateDict());
    const x = randn([5, 4]);
    assertClose(b.forward(x), a.forward(x));
    const state = { ...a.stateDict() };
    delete state['scale'];
    state['extra'] = zeros([1]);
    state['out.bias'] = zeros([3]);
    assert.throws(() => b.loadStateDict(state), (e: Error) => {
      assert.ok(e instanceof StateDictError);
      assert.match(e.message, /missing keys: scale/);
      assert.match(e.message, /unexpected keys: extra/);
      assert.match(e.message, /'out.bias' has shape \[3\] in the state dict but \[2\] in the module/);
      return true;
    });
  });
});

describe('functional API and Sequential', () => {
  it('infers output shapes at build time and prints a Keras-style summary', () => {
    const inputs = Input({ shape: [8, 8, 1] });
    const conv = new Conv2D({ filters: 4, kernelSize: 3, padding: 'same', name: 'conv' }).apply(inputs);
    const branch = new Conv2D({ filters: 4, kernelSize: 1, name: 'branch' }).apply(inputs);
    const merged = new Add({ name: 'residual' }).apply([conv, branch]);
    const outputs = new Dense({ units: 3, name: 'head' }).apply(new Flatten({ name: 'flat' }).apply(merged));
    const model = new Model({ inputs, outputs, name: 'resnetish' });
    assert.deepEqual(outputs.shape, [null, 3]);
    const table = model.summary({ print: false });
    assert.match(table, /Model: "resnetish"/);
    assert.match(table, /conv \(Conv2D\)\s+\[null, 8, 8, 4\]\s+40/);
    assert.match(table, /head \(Dense\)\s+\[null, 3\]\s+771/);
    assert.match(table, /Total params: 819/);
    const y: Tensor = model.predict(randn([2, 8, 8, 1]));
    assert.deepEqual(y.shape, [2, 3]);
  });

  it('shape errors surface when the model is built, naming the layer', () => {
    const a = Input({ shape: [4] });
    const b = Input({ shape: [5] });
    assert.throws(() => new Add({ name: 'bad_add' }).apply([a, b]), (e: Error) => e instanceof ShapeError && /layer 'bad_add' \(Add\)/.test(e.message));
    assert.throws(
      () => new Sequential([new Flatten({ inputShape: [3, 3] }), new Conv2D({ filters: 2, kernelSize: 3, name: 'conv_on_flat' })]),
      (e: Error) => e instanceof ShapeError && /layer 'conv_on_flat' \(Conv2D\) cannot take input \[null, 9\]: expected rank 4 \(NHWC\)/.test(e.message),
    );
    const small = Input({ shape: [2, 2, 1] });
    assert.throws(() => new Conv2D({ filters: 1, kernelSize: 3, name: 'too_big' }).apply(small), /layer 'too_big'.*does not fit a spatial size of 2/);
  });

  it('a built layer rejects inputs of another feature size, naming itself', () => {
    const dense = new Dense({ units: 2, name: 'fixed' });
    dense.forward(randn([1, 3]));
    assert.throws(() => dense.forward(randn([1, 4])), /layer 'fixed' \(Dense\).*built for 3 input features, got 4/);
  });

  it('a multi-output model returns a list, a multi-input one takes a list', () => {
    const left = Input({ shape: [2] });
    const right = Input({ shape: [3] });
    const joined = new Concatenate().apply([left, right]);
    const model = new Model({ inputs: [left, right], outputs: [joined, new Dense({ units: 1 }).apply(joined)] });
    const [a, b] = model.predict([randn([4, 2]), randn([4, 3])]);
    assert.deepEqual([a!.shape, b!.shape], [[4, 5], [4, 1]]);
    assert.throws(() => model.forward([randn([4, 3]), randn([4, 3])]), /expected \[null, 2\], got \[null, 3\]/);
  });
});

describe('initializers and regularizers', () => {
  it('every initializer draws the requested shape; variance scaling matches its formula', () => {
    manualSeed(5);
    for (const name of INITIALIZERS) assert.deepEqual(initialize(name, [20, 30]).shape, [20, 30]);
    // Glorot uniform: limit √(6/(fanIn+fanOut)).
    const limit = Math.sqrt(6 / 500);
    const w = initialize('glorotUniform', [200, 300]).dataSync();
    assert.ok(w.every((v) => Math.abs(v) <= limit));
    // He normal (truncated): std √(2/fanIn).
    const h = initialize('heNormal', [400, 300]).dataSync();
    const std = Math.sqrt([...h].reduce((s, v) => s + v * v, 0) / h.length);
    assert.ok(Math.abs(std - Math.sqrt(2 / 400)) < 0.005, `std ${std}`);
    // Orthogonal: WᵀW = I for a tall matrix.
    const q = initialize('orthogonal', [6, 4]);
    assertClose(q.T.matmul(q), eye(4), { atol: 1e-5 });
    // A seed gives an independent, repeatable stream.
    assertClose(initialize({ name: 'randomNormal', seed: 3 }, [5]), initialize({ name: 'randomNormal', seed: 3 }, [5]));
  });

  it('L1/L2 penalties are added to the loss by fit', async () => {
    const w = ones([2, 2]).mul(-2);
    assert.equal(regularizationPenalty({ l1: 0.5, l2: 0.25 }, w).item(), 0.5 * 8 + 0.25 * 16);
    const model = new Sequential([new Dense({ units: 1, inputShape: [2], kernelInitializer: 'ones', kernelRegularizer: { l2: 1 } })]);
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    const logs = model.trainOnBatch(zeros([1, 2]), zeros([1, 1]));
    assert.equal(logs['loss'], 2); // data loss 0 + Σw² = 2
  });
});
