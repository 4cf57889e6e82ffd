import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dataset } from '../../src/data/dataset.js';
import { RawImage } from '../../src/io/raw-image.js';
import { tensor } from '../../src/index.js'; // the package entry registers the backends

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

test('from, map, filter, take, skip, concatenate keep order and re-iterate', async () => {
  const ds = Dataset.from(range(10))
    .map((x) => x * 2)
    .filter((x) => x % 4 === 0)
    .skip(1)
    .take(3)
    .concatenate(Dataset.from([100]));
  assert.deepEqual(await ds.toArray(), [4, 8, 12, 100]);
  assert.deepEqual(await ds.toArray(), [4, 8, 12, 100], 'a second pass gives the same elements');
});

test('map with parallel async work keeps order and overlaps calls', async () => {
  let running = 0;
  let maxRunning = 0;
  const ds = Dataset.from(range(12)).map(
    async (x) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((resolve) => setTimeout(resolve, (12 - x) % 4));
      running--;
      return x;
    },
    { parallel: 4 },
  );
  assert.deepEqual(await ds.toArray(), range(12));
  assert.equal(maxRunning, 4);
});

test('map errors propagate to the consumer', async () => {
  const ds = Dataset.from([1, 2, 3]).map(async (x) => {
    if (x === 2) throw new Error('bad element');
    return x;
  }, { parallel: 3 });
  await assert.rejects(ds.toArray(), /bad element/);
});

test('shuffle is a seeded permutation, reproducible, new order per epoch', async () => {
  const ds = Dataset.from(range(100)).shuffle(100, 7);
  const first = await ds.toArray();
  const second = await ds.toArray();
  assert.deepEqual([...first].sort((a, b) => a - b), range(100));
  assert.notDeepEqual(first, range(100));
  assert.notDeepEqual(first, second, 'reshuffled each iteration');
  assert.deepEqual(await Dataset.from(range(100)).shuffle(100, 7).toArray(), first, 'same seed, same first epoch');
  const fixed = Dataset.from(range(100)).shuffle(10, 3, { reshuffleEachIteration: false });
  assert.deepEqual(await fixed.toArray(), await fixed.toArray());
});

test('batch stacks records of numbers, typed arrays, images and tensors', async () => {
  const elements = range(5).map((i) => ({
    x: Float32Array.of(i, i + 1),
    y: i,
    image: new RawImage(Uint8Array.of(i, i, i, i), 2, 2, 1),
    t: tensor([i, -i]),
  }));
  const batches = await Dataset.from(elements).batch(2).toArray();
  assert.equal(batches.length, 3);
  const [first, , last] = batches;
  assert.deepEqual(first!.x.shape, [2, 2]);
  assert.deepEqual([...first!.x.dataSync()], [0, 1, 1, 2]);
  assert.deepEqual(first!.y.shape, [2]);
  assert.deepEqual(first!.image.shape, [2, 2, 2, 1]);
  assert.equal(first!.image.dtype, 'float32');
  assert.deepEqual([...first!.t.dataSync()], [0, -0, 1, -1]);
  assert.deepEqual(last!.y.shape, [1]);
  assert.equal((await Dataset.from(elements).batch(2, { dropRemainder: true }).toArray()).length, 2);
});

test('batch of tuples and a shape mismatch error', async () => {
  const [batch] = await Dataset.from([[Int32Array.of(1), 2] as const, [Int32Array.of(3), 4] as const]).batch(2).toArray();
  assert.equal(batch![0].dtype, 'int32');
  assert.deepEqual([...batch![1].dataSync()], [2, 4]);
  const ragged = Dataset.from([Float32Array.of(1, 2), Float32Array.of(1)]).batch(2);
  await assert.rejects(ragged.toArray(), /element 1 has shape \[1\]/);
});

test('fromTensors slices rows and keeps the structure', async () => {
  const ds = Dataset.fromTensors({ x: tensor([[1, 2], [3, 4], [5, 6]]), y: tensor([0, 1, 0]) });
  const rows = await ds.toArray();
  assert.equal(rows.length, 3);
  assert.deepEqual(rows[1]!.x.shape, [2]);
  assert.deepEqual([...rows[1]!.x.dataSync()], [3, 4]);
  assert.deepEqual(rows[2]!.y.shape, []);
  const [batch] = await ds.batch(3).toArray();
  assert.deepEqual(batch!.x.shape, [3, 2]);
});

test('zip, repeat, prefetch and cache', async () => {
  const zipped = await Dataset.zip([Dataset.from([1, 2, 3]), Dataset.from(['a', 'b'])]).toArray();
  assert.deepEqual(zipped, [[1, 'a'], [2, 'b']]);
  assert.deepEqual(await Dataset.from([1, 2]).repeat(3).toArray(), [1, 2, 1, 2, 1, 2]);
  assert.deepEqual(await Dataset.from([1, 2]).repeat().take(5).toArray(), [1, 2, 1, 2, 1]);
  assert.deepEqual(await Dataset.from(range(7)).prefetch(3).toArray(), range(7));
  let calls = 0;
  const cached = Dataset.from(range(4)).map((x) => (calls++, x)).cache();
  await cached.take(2).toArray(); // an unfinished pass is not cached
  await cached.toArray();
  await cached.toArray();
  assert.equal(calls, 2 + 4);
});

test('split gives exact, disjoint, seeded train/validation parts', async () => {
  const { train, validation } = Dataset.from(range(50)).split({ fraction: 0.2, seed: 5 });
  const t = await train.toArray();
  const v = await validation.toArray();
  assert.equal(v.length, 10);
  assert.equal(t.length, 40);
  assert.deepEqual([...t, ...v].sort((a, b) => a - b), range(50));
  const again = Dataset.from(range(50)).split({ fraction: 0.2, seed: 5 });
  assert.deepEqual(await again.validation.toArray(), v);
  const other = Dataset.from(range(50)).split({ fraction: 0.2, seed: 6 });
  assert.notDeepEqual(await other.validation.toArray(), v);
});

test('fromGenerator restarts the generator on each pass; bad arguments are ValueErrors', async () => {
  const ds = Dataset.fromGenerator(function* () {
    yield* [1, 2];
  });
  assert.deepEqual(await ds.toArray(), [1, 2]);
  assert.deepEqual(await ds.toArray(), [1, 2]);
  assert.throws(() => ds.batch(0), /positive integer/);
  assert.throws(() => ds.shuffle(-1), /positive integer/);
  assert.throws(() => ds.split({ fraction: 2 }), /fraction/);
});
