/**
 * Compiled training equals eager training: model.fit with { jit: true } against the same fit
 * without it for an MLP and the MNIST-shaped CNN, and a GAN step (two models, two optimizers,
 * a detached fake batch) through jit(): the same bits after several steps, on every backend (the
 * CNN within 1e-5: its compiled step skips a conv border no pool reads).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  Adam, BatchNormalization, BinaryCrossentropy, Conv2D, Dense, Dropout, Flatten, jit, manualSeed, MaxPool2D, modelFromBytes, modelToBytes, ones, randn, Sequential, SparseCategoricalCrossentropy, tensor, type Tensor, zeros,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';
import { forEachBackend } from '../helpers/backends.js';

const bits = (ts: readonly Tensor[]): number[][] => ts.map((t) => Array.from(t.dataSync()));

function labels(n: number, classes: number): Tensor {
  return tensor(Int32Array.from({ length: n }, (_, i) => (i * 7 + 3) % classes), [n]);
}

/** Trains `make()`'s model on the data with and without jit; returns both runs' losses and weights. */
async function fitBoth(make: () => Sequential, x: Tensor, y: Tensor, batchSize: number): Promise<{ eager: [number[], number[][]]; compiled: [number[], number[][]] }> {
  const run = async (jitOn: boolean): Promise<[number[], number[][]]> => {
    manualSeed(11);
    const model = make();
    model.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: new SparseCategoricalCrossentropy({ fromLogits: true }), metrics: ['accuracy'], jit: jitOn });
    // validationData runs evaluate after each epoch, compiled too with jit.
    const history = await model.fit(x, y, { epochs: 2, batchSize, shuffle: false, verbose: 0, validationData: [x, y] });
    const predicted = model.predict(x, { batchSize }) as Tensor;
    // The jit setting is a compile setting: model files keep it.
    assert.equal(modelFromBytes(modelToBytes(model), 'model.safetensors').compiled?.jit, jitOn);
    return [[...history.history['loss']!, ...history.history['val_loss']!, ...predicted.dataSync()], bits(Object.values(model.stateDict()))];
  };
  return { eager: await run(false), compiled: await run(true) };
}

forEachBackend('jit training', () => {
  it('fits an MLP with dropout with the eager bits (5 steps an epoch, the last batch smaller)', async () => {
    manualSeed(2);
    const x = randn([36, 10]);
    const { eager, compiled } = await fitBoth(
      () => new Sequential([new Dense({ units: 16, activation: 'relu' }), new Dropout({ rate: 0.25 }), new Dense({ units: 16, activation: 'tanh' }), new Dense({ units: 4 })], { inputShape: [10] }),
      x,
      labels(36, 4),
      8,
    );
    assert.deepEqual(compiled, eager);
  });

  it('fits the MNIST CNN shape (conv, batch norm, pool, dense) as eager does, running statistics included', async () => {
    manualSeed(3);
    const x = randn([12, 28, 28, 1]);
    const { eager, compiled } = await fitBoth(
      () =>
        new Sequential(
          [new Conv2D({ filters: 4, kernelSize: 3, activation: 'relu' }), new BatchNormalization(), new MaxPool2D({ poolSize: 2 }), new Conv2D({ filters: 8, kernelSize: 3, activation: 'relu' }), new MaxPool2D({ poolSize: 2 }), new Flatten(), new Dense({ units: 16, activation: 'relu' }), new Dense({ units: 10 })],
          { inputShape: [28, 28, 1] },
        ),
      x,
      labels(12, 10),
      6,
    );
    // The compiled step leaves out the second conv's last row and column, which its pool never reads: the filter
    // and bias gradients then sum fewer zeros, which a backend may round differently in the last bits.
    assertClose(compiled[0], eager[0], { rtol: 1e-5, atol: 1e-6, message: 'losses and predictions' });
    eager[1].forEach((weights, i) => assertClose(compiled[1][i]!, weights, { rtol: 1e-5, atol: 1e-6, message: `weights ${i}` }));
  });

  it('runs a GAN step (discriminator then generator update) with the eager bits', () => {
    const setup = (): { step: (noise: Tensor, real: Tensor) => Tensor[]; params: Tensor[] } => {
      manualSeed(5);
      const generator = new Sequential([new Dense({ units: 8, activation: 'relu' }), new Dense({ units: 2 })], { inputShape: [4] });
      const discriminator = new Sequential([new Dense({ units: 8, activation: 'tanh' }), new Dense({ units: 1 })], { inputShape: [2] });
      generator.forward(zeros([1, 4]));
      discriminator.forward(zeros([1, 2]));
      const gOpt = new Adam(generator.parameters(), { learningRate: 0.01 });
      const dOpt = new Adam(discriminator.parameters(), { learningRate: 0.01, beta1: 0.5 });
      const bce = new BinaryCrossentropy({ fromLogits: true });
      const step = (noise: Tensor, real: Tensor): Tensor[] => {
        const fake = generator.forward(noise) as Tensor;
        const n = real.shape[0]!;
        const dLoss = bce.forward(discriminator.forward(real) as Tensor, ones([n, 1])).add(bce.forward(discriminator.forward(fake.detach()) as Tensor, zeros([n, 1])));
        dOpt.zeroGrad();
        dLoss.backward();
        dOpt.step();
        const gLoss = bce.forward(discriminator.forward(fake) as Tensor, ones([n, 1]));
        gOpt.zeroGrad();
        dOpt.zeroGrad();
        gLoss.backward();
        gOpt.step();
        gOpt.zeroGrad();
        dOpt.zeroGrad();
        return [dLoss, gLoss];
      };
      return { step, params: [...generator.parameters(), ...discriminator.parameters()] };
    };
    const eager = setup();
    const compiled = setup();
    const step = jit(compiled.step);
    manualSeed(6);
    for (let i = 0; i < 4; i++) {
      const [noise, real] = [randn([8, 4]), randn([8, 2], { mean: 2 })];
      assert.deepEqual(bits(step(noise, real)), bits(eager.step(noise, real)));
    }
    assert.equal(step.traces, 1);
    assert.deepEqual(bits(compiled.params), bits(eager.params));
  });
});
