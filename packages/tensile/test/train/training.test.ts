import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  AUC, BinaryCrossentropy, Callback, CategoricalCrossentropy, ConfusionMatrix, Dense, EarlyStopping, F1Score, Huber, type Logs, manualSeed, MeanSquaredError,
  NonFiniteLossError, Precision, randn, Recall, ReduceLROnPlateau, Sequential, SGD, SparseCategoricalCrossentropy, tensor, TerminateOnNaN,
  TopKCategoricalAccuracy, softmaxCrossEntropy, huberLoss, slice, type Batch, getBackend,
} from '../../src/index.js';
import { CSVLogger } from '../../src/train/index.node.js';
import { assertClose } from '../helpers/assert.js';
import { moduleUrl, runInFreshProcess } from '../helpers/fresh-process.js';
import { tempDir } from 'tensile-test-support';

function regression(): { x: ReturnType<typeof randn>; y: ReturnType<typeof randn> } {
  manualSeed(3);
  const x = randn([64, 2]);
  return { x, y: x.matmul(tensor([[2], [-1]])).add(0.5) };
}

describe('losses', () => {
  it('agree with the core ops and support sample weights', () => {
    const logits = randn([4, 3]);
    const labels = tensor(new Int32Array([0, 2, 1, 2]), [4]);
    assertClose(new SparseCategoricalCrossentropy({ fromLogits: true }).forward(logits, labels), softmaxCrossEntropy(logits, labels), { atol: 1e-6 });
    assertClose(new SparseCategoricalCrossentropy().forward(logits.softmax(), labels), softmaxCrossEntropy(logits, labels), { atol: 1e-5 });
    const oneHot = tensor([[1, 0, 0], [0, 0, 1], [0, 1, 0], [0, 0, 1]]);
    assertClose(new CategoricalCrossentropy({ fromLogits: true }).forward(logits, oneHot), softmaxCrossEntropy(logits, labels), { atol: 1e-6 });
    const p = randn([4, 1]);
    const t = tensor([[1], [0], [1], [0]]);
    assertClose(new BinaryCrossentropy({ fromLogits: true }).forward(p, t), new BinaryCrossentropy().forward(p.sigmoid(), t), { atol: 1e-5 });
    assertClose(new Huber().forward(p, t), huberLoss(p, t), { atol: 1e-6 });
    // Weight 0 removes a sample; the mean still divides by the batch size (Keras).
    const mse = new MeanSquaredError();
    const weighted = mse.forward(tensor([[1], [3]]), tensor([[0], [0]]), tensor([1, 0]));
    assert.equal(weighted.item(), 0.5);
  });

  it('smooth integer labels as the same one-hot targets would be, from logits and from probabilities', () => {
    manualSeed(5);
    const logits = randn([4, 3]);
    const labels = tensor(new Int32Array([0, 2, 1, 2]), [4]);
    const oneHot = tensor([[1, 0, 0], [0, 0, 1], [0, 1, 0], [0, 0, 1]]);
    const expected = new CategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.2 }).forward(logits, oneHot);
    assertClose(new SparseCategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.2 }).forward(logits, labels), expected, { atol: 1e-6 });
    assertClose(new SparseCategoricalCrossentropy({ labelSmoothing: 0.2 }).forward(logits.softmax(), labels), expected, { atol: 1e-5 });
    // By hand for one row: −Σ_c (0.8·[c = 0] + 0.2 / 3)·log softmax(l)_c.
    const row = [...(logits.logSoftmax().dataSync() as Float32Array).slice(0, 3)];
    const byHand = -row.reduce((total, lp, c) => total + ((c === 0 ? 0.8 : 0) + 0.2 / 3) * lp, 0);
    assertClose(new SparseCategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.2 }).forward(slice(logits, [[0, 1]]), tensor(new Int32Array([0]), [1])), tensor(byHand), { atol: 1e-6 });
    for (const bad of [-0.1, 1, Number.NaN]) {
      assert.throws(() => new SparseCategoricalCrossentropy({ labelSmoothing: bad }).forward(logits.softmax(), labels), /SparseCategoricalCrossentropy: labelSmoothing must be in \[0, 1\), got/);
    }
  });
});

describe('metrics', () => {
  it('precision, recall, F1, confusion matrix, top-k and AUC', () => {
    const probs = tensor([[0.9], [0.8], [0.3], [0.6], [0.1]]);
    const truth = tensor([[1], [0], [1], [1], [0]]);
    const metric = <M extends { update: (p: typeof probs, t: typeof truth) => void; result: () => number }>(m: M): number => {
      m.update(probs, truth);
      return m.result();
    };
    assert.equal(metric(new Precision()), 2 / 3);
    assert.equal(metric(new Recall()), 2 / 3);
    assert.equal(metric(new F1Score()), 2 / 3);
    const confusion = new ConfusionMatrix();
    confusion.update(probs, truth);
    assert.deepEqual(confusion.matrix, [[1, 1], [1, 2]]);
    // Ranking: positives at 0.9, 0.6, 0.3 vs negatives 0.8, 0.1 → 4 of 6 pairs ordered.
    assert.ok(Math.abs(metric(new AUC()) - 4 / 6) < 0.01);
    const top2 = new TopKCategoricalAccuracy({ k: 2 });
    top2.update(tensor([[0.5, 0.3, 0.2], [0.1, 0.2, 0.7]]), tensor(new Int32Array([1, 0]), [2]));
    assert.equal(top2.result(), 0.5);
  });
});

describe('fit', () => {
  it('trains from an async iterable of batches with validation data and class weights', async () => {
    const { x, y } = regression();
    const model = new Sequential([new Dense({ units: 1, inputShape: [2] })]);
    model.compile({ optimizer: new SGD({ learningRate: 0.1 }), loss: 'mse' });
    async function* batches(): AsyncGenerator<Batch> {
      for (let i = 0; i < 64; i += 16) yield { x: slice(x, [[i, i + 16]]), y: slice(y, [[i, i + 16]]) };
    }
    const history = await model.fit({ [Symbol.asyncIterator]: batches }, { epochs: 20, validationData: [x, y], verbose: 0 });
    assert.ok(history.history['val_loss']!.at(-1)! < 1e-3, `val_loss ${history.history['val_loss']!.at(-1)}`);
    const logs = await model.evaluate(x, y);
    assert.ok(logs['loss']! < 1e-3);
    const weighted = new Sequential([new Dense({ units: 1, inputShape: [2] })]);
    weighted.compile({ optimizer: 'sgd', loss: 'mse' });
    await weighted.fit(x, y.gt(0).cast('float32'), { epochs: 1, classWeight: { 0: 1, 1: 3 }, verbose: 0 });
  });

  it('frees the batches it cuts from tensor data: buffers stay flat without the garbage collector', async () => {
    const { x, y } = regression();
    const model = new Sequential([new Dense({ units: 1, inputShape: [2] })]);
    model.compile({ optimizer: new SGD({ learningRate: 0.1 }), loss: 'mse' });
    await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 });
    const buffers = (): number => getBackend().memory().buffers;
    const before = buffers();
    await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
    await model.evaluate(x, y, { batchSize: 8 });
    // 64 samples in batches of 8: 3 × 8 batches of index, x and y would be 72 buffers if left to the collector.
    assert.equal(buffers(), before);
  });

  it('trains every step on the backend\'s full thread count (seeded runs repeat bit for bit)', async () => {
    // A fresh process: the backend is made by the first op, so its worker is still starting when fit begins.
    const output = await runInFreshProcess(`
      const t = await import(${moduleUrl('../../src/node.js', import.meta.url)});
      const x = t.tensor([[1, 2], [3, 4]]);
      const model = new t.Sequential([new t.Dense({ units: 1, inputShape: [2] })]);
      model.compile({ optimizer: 'sgd', loss: 'mse' });
      const seen = [];
      class Threads extends t.Callback { onBatchBegin() { seen.push(t.getBackend().threads); } }
      await model.fit(x, t.tensor([[1], [2]]), { epochs: 1, batchSize: 1, callbacks: [new Threads()], verbose: 0 });
      console.log(JSON.stringify(seen));
      t.getBackend().dispose();`, { env: { TENSILE_THREADS: '2' } });
    assert.deepEqual(JSON.parse(output), [2, 2]);
  });

  it('stops on a NaN loss naming the step and the last finite loss, unless told not to', async () => {
    const { x, y } = regression();
    const model = new Sequential([new Dense({ units: 1, inputShape: [2] })]);
    model.compile({ optimizer: new SGD({ learningRate: 1e6 }), loss: 'mse' });
    await assert.rejects(model.fit(x, y, { epochs: 5, batchSize: 8, verbose: 0 }), (e: Error) => {
      assert.ok(e instanceof NonFiniteLossError);
      assert.match(e.message, /the loss became (NaN|Infinity) at epoch \d+, batch \d+ .*last finite loss was \d/);
      assert.ok(Number.isFinite(e.lastFiniteLoss));
      return true;
    });
    const quiet = new Sequential([new Dense({ units: 1, inputShape: [2] })]);
    quiet.compile({ optimizer: new SGD({ learningRate: 1e6 }), loss: 'mse' });
    const history = await quiet.fit(x, y, { epochs: 5, batchSize: 8, verbose: 0, stopOnNonFiniteLoss: false, callbacks: [new TerminateOnNaN()] });
    assert.ok(history.epoch.length < 5);
  });

  it('callbacks: custom hooks, EarlyStopping with restored weights, ReduceLROnPlateau, CSVLogger', async () => {
    const dir = await tempDir('tensile-train-');
    const { x, y } = regression();
    const model = new Sequential([new Dense({ units: 1, inputShape: [2] })]);
    const optimizer = new SGD({ learningRate: 0.05 });
    model.compile({ optimizer, loss: 'mse' });
    const seen: string[] = [];
    class Recorder extends Callback {
      override onTrainBegin(): void { seen.push('begin'); }
      override onEpochEnd(epoch: number, logs: Logs): void { seen.push(`epoch ${epoch} ${logs['loss'] !== undefined}`); }
      override onTrainEnd(): void { seen.push('end'); }
    }
    // val_loss is computed on shifted targets, so it gets worse as training fits the real ones.
    const early = new EarlyStopping({ monitor: 'val_loss', patience: 1, restoreBestWeights: true });
    const csv = path.join(dir, 'log.csv');
    const history = await model.fit(x, y, {
      epochs: 30,
      verbose: 0,
      validationData: [x, y.mul(0).add(10)],
      callbacks: [new Recorder(), early, new ReduceLROnPlateau({ monitor: 'loss', patience: 100 }), new CSVLogger({ filename: csv })],
    });
    assert.ok(history.epoch.length < 30);
    assert.deepEqual(seen.slice(0, 2), ['begin', 'epoch 0 true']);
    assert.equal(seen.at(-1), 'end');
    const best = Math.min(...history.history['val_loss']!);
    assert.ok(Math.abs((await model.evaluate(x, y.mul(0).add(10)))['loss']! - best) < 1e-4 * best);
    const rows = (await fs.readFile(csv, 'utf8')).trim().split('\n');
    assert.equal(rows[0], 'epoch,learning_rate,loss,val_loss');
    assert.equal(rows.length, history.epoch.length + 1);
    assert.equal(history.history['learning_rate']![0], 0.05);
  });
});
