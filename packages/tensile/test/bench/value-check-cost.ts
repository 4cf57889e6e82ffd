/**
 * What the label/probability checks of the losses and metrics cost in `fit`: an MNIST-sized MLP
 * (784 → 128 → 10, batch 128, sparse cross-entropy from logits + accuracy) trained on random data
 * with the checks on and off, alternating, best of several runs each. On a shared machine whole
 * epochs vary more than the checks cost, so the checks of one batch are also timed alone.
 *
 *   npm run typecheck && node packages/tensile/build/test/bench/value-check-cost.js
 */
import { checkClassLabels } from '../../src/ops/value-checks.js';
import { Dense, manualSeed, randint, randn, Sequential, setValueChecks, SparseCategoricalCrossentropy } from '../../src/index.js';

const SAMPLES = 128 * 40;
const ROUNDS = 5;

async function secondsPerEpoch(checks: boolean): Promise<number> {
  setValueChecks(checks);
  manualSeed(1);
  const model = new Sequential([new Dense({ units: 128, activation: 'relu', inputShape: [784] }), new Dense({ units: 10 })]);
  model.compile({ optimizer: 'adam', loss: new SparseCategoricalCrossentropy({ fromLogits: true }), metrics: ['accuracy'] });
  const x = randn([SAMPLES, 784]);
  const y = randint(0, 10, [SAMPLES]);
  const started = performance.now();
  await model.fit(x, y, { epochs: 1, batchSize: 128, verbose: 0 });
  return (performance.now() - started) / 1000;
}

const times: Record<'on' | 'off', number[]> = { on: [], off: [] };
await secondsPerEpoch(true); // warm-up
for (let round = 0; round < ROUNDS; round++) {
  times.on.push(await secondsPerEpoch(true));
  times.off.push(await secondsPerEpoch(false));
}
const best = (xs: number[]): number => Math.min(...xs);
const on = best(times.on);
const off = best(times.off);
console.log(`fit, ${SAMPLES / 128} batches of 128: checks on ${on.toFixed(3)} s, off ${off.toFixed(3)} s per epoch (best of ${ROUNDS}); cost ${(((on - off) / off) * 100).toFixed(1)} %`);

// The label checks one training batch runs: the loss class, the loss op and the accuracy metric.
setValueChecks(true);
const labels = randint(0, 10, [128]);
const perBatch: number[] = [];
for (let round = 0; round < 200; round++) {
  const started = performance.now();
  for (let k = 0; k < 3; k++) checkClassLabels('bench', labels, 10);
  perBatch.push(performance.now() - started);
}
const checkMs = best(perBatch);
const stepMs = (off * 1000) / (SAMPLES / 128);
console.log(`label checks of one batch: ${(checkMs * 1000).toFixed(1)} µs against a ${stepMs.toFixed(2)} ms training step (${((checkMs / stepMs) * 100).toFixed(2)} %)`);
