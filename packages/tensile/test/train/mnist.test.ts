/**
 * The two styles of the README on a slice of real MNIST: a Keras-style MLP (compile/fit/evaluate)
 * and a PyTorch-style CNN (custom Module, explicit loop). Chance is 10%; both must clear it by far.
 * Heavy: runs on the default backend only.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  Adam, argmax, Conv2D, Dense, Flatten, manualSeed, MaxPool2D, Module, scope, Sequential, SGD, softmaxCrossEntropy, tensor, noGrad, type Tensor, eq, zeros,
} from '../../src/index.js';
import { mnistSlice } from '../helpers/mnist.js';

function accuracy(logits: Tensor, labels: Tensor): number {
  return noGrad(() => eq(argmax(logits, -1), labels).cast('float32').mean().item());
}

it('Keras style: an MLP trained with fit() on 2,000 MNIST digits beats chance by far', async () => {
  manualSeed(0);
  const { train, test } = await mnistSlice(2000, 500);
  const model = new Sequential([
    new Flatten({ inputShape: [28, 28, 1] }),
    new Dense({ units: 64, activation: 'relu' }),
    new Dense({ units: 10, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: new Adam({ learningRate: 3e-3 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const history = await model.fit(train.x, train.y, { epochs: 3, batchSize: 64, validationSplit: 0.1, verbose: 0 });
  const losses = history.history['loss']!;
  assert.ok(losses[2]! < losses[0]!, `loss should fall: ${losses.join(', ')}`);
  const { accuracy: testAccuracy } = await model.evaluate(test.x, test.y, { batchSize: 250 });
  console.log(`MNIST MLP (Keras style): test accuracy ${testAccuracy!.toFixed(3)} on 500 digits after 3 epochs on 1,800`);
  assert.ok(testAccuracy! > 0.8, `test accuracy ${testAccuracy}`);
  assert.ok(Math.abs(accuracy(model.predict(test.x), test.y) - testAccuracy!) < 1e-6);
});

class SmallCnn extends Module {
  conv = new Conv2D({ filters: 8, kernelSize: 3, activation: 'relu' });
  pool = new MaxPool2D({ poolSize: 2 });
  flatten = new Flatten();
  fc = new Dense({ units: 10 });

  forward(x: Tensor): Tensor {
    return this.fc.forward(this.flatten.forward(this.pool.forward(this.conv.forward(x))));
  }
}

it('PyTorch style: a CNN trained with an explicit loop on 2,000 MNIST digits beats chance by far', async () => {
  manualSeed(0);
  const { train, test } = await mnistSlice(2000, 500);
  const net = new SmallCnn();
  net.forward(zeros([1, 28, 28, 1])); // layers build on their first input, so the optimizer then sees every parameter
  const optimizer = new SGD(net.parameters(), { learningRate: 0.05, momentum: 0.9 });
  const batchSize = 32;
  const n = train.y.shape[0]!;
  for (let epoch = 0; epoch < 2; epoch++) {
    for (let start = 0; start < n; start += batchSize) {
      const index = tensor(Int32Array.from({ length: Math.min(batchSize, n - start) }, (_, i) => start + i));
      scope(() => {
        const logits = net.forward(train.x.gather(index));
        const loss = softmaxCrossEntropy(logits, train.y.gather(index));
        optimizer.zeroGrad();
        loss.backward();
        optimizer.step();
      });
    }
  }
  optimizer.zeroGrad();
  net.eval();
  const testAccuracy = accuracy(noGrad(() => net.forward(test.x)), test.y);
  console.log(`MNIST CNN (PyTorch style): test accuracy ${testAccuracy.toFixed(3)} on 500 digits after 2 epochs on 2,000`);
  assert.ok(testAccuracy > 0.8, `test accuracy ${testAccuracy}`);
});
