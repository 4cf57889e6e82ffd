import assert from 'node:assert/strict';
import { it } from 'node:test';
import { manualSeed, randn, tensor } from '../../src/index.js';
import { Dense, Sequential, Flatten } from '../../src/nn/index.js';

it('smoke', async () => {
  manualSeed(1);
  const model = new Sequential([new Flatten({ inputShape: [4, 2] }), new Dense({ units: 8, activation: 'relu' }), new Dense({ units: 3 })]);
  model.summary();
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const x = randn([64, 4, 2]);
  const y = tensor(Int32Array.from({ length: 64 }, (_, i) => i % 3), [64]);
  const h = await model.fit(x, y, { epochs: 3, batchSize: 16, verbose: 2 });
  assert.equal(h.history['loss']!.length, 3);
  assert.deepEqual(model.predict(x).shape, [64, 3]);
});
