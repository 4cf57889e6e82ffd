import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  Adam, Dense, Dropout, Flatten, Linear, manualSeed, Module, randn, randint, Sequential, tensor, type Tensor,
} from '../../src/index.js';
import { decodeSafetensors, encodeSafetensors, ModelFileError, modelToBytes } from '../../src/saving/index.js';
import { loadModel, loadWeights, saveModel, saveWeights } from '../../src/saving/index.node.js';
import { ModelCheckpoint } from '../../src/saving/index.node.js';
import { decodeSafetensorArrays, encodeSafetensorArrays } from '../../src/saving/safetensors-format.js';
import { assertClose } from '../helpers/assert.js';
import { tempDir } from 'tensile-test-support';

function smallModel(): Sequential {
  return new Sequential([new Flatten({ inputShape: [3, 2] }), new Dense({ units: 8, activation: 'relu' }), new Dropout({ rate: 0.2 }), new Dense({ units: 3 })]);
}

describe('safetensors', () => {
  it('writes the documented layout: u64 LE header length, JSON header, raw LE data', () => {
    const bytes = encodeSafetensors({ a: tensor([1, 2], [2]), b: tensor(new Int32Array([7]), [1]) }, { note: 'x' });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal((8 + headerLength) % 8, 0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<string, { dtype: string; shape: number[]; data_offsets: number[] }>;
    assert.deepEqual(header['a'], { dtype: 'F32', shape: [2], data_offsets: [0, 8] });
    assert.deepEqual(header['b'], { dtype: 'I32', shape: [1], data_offsets: [8, 12] });
    assert.deepEqual([...new Float32Array(bytes.slice(8 + headerLength, 8 + headerLength + 8).buffer)], [1, 2]);
    const decoded = decodeSafetensors(bytes, 'mem');
    assert.equal(decoded.metadata['note'], 'x');
    assertClose(decoded.tensors['b']!, tensor(new Int32Array([7]), [1]));
  });

  it('lays arrays out contiguously, each aligned to its element size, and reads them back by name', () => {
    const arrays = {
      odd: { dtype: 'I8', shape: [3], values: Int8Array.from([-1, 0, 127]) },
      flag: { dtype: 'BOOL', shape: [1], values: Uint8Array.from([1]) },
      wide: { dtype: 'F64', shape: [1], values: Float64Array.from([0.5]) },
      scale: { dtype: 'F32', shape: [2], values: Float32Array.from([2, 3]) },
    } as const;
    const bytes = encodeSafetensorArrays(arrays);
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<string, { dtype: string; data_offsets: [number, number] }>;
    const ranges = Object.keys(arrays).map((name) => ({ item: arrays[name as keyof typeof arrays].values.BYTES_PER_ELEMENT, range: header[name]!.data_offsets }));
    for (const { item, range } of ranges) assert.equal(range[0] % item, 0, `offset ${range[0]} of a ${item}-byte array`);
    const sorted = ranges.map((r) => r.range).sort((a, b) => a[0] - b[0]);
    sorted.forEach(([begin], i) => assert.equal(begin, i === 0 ? 0 : sorted[i - 1]![1]));
    assert.equal(sorted.at(-1)![1], bytes.length - 8 - headerLength);
    const decoded = decodeSafetensorArrays(bytes, 'mem');
    for (const [name, array] of Object.entries(arrays)) assert.deepEqual(decoded.arrays[name], { ...array, shape: [...array.shape] });
    assert.throws(() => decodeSafetensors(bytes, 'int8.safetensors'), /int8\.safetensors: tensor 'odd' has dtype I8/);
  });
});

describe('model files', () => {
  it('single file and directory round-trip architecture, weights and optimizer state', async () => {
    const dir = await tempDir('tensile-saving-');
    manualSeed(1);
    const model = smallModel();
    model.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const x = randn([16, 3, 2]);
    const y = randint(0, 3, [16]);
    await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
    for (const target of [path.join(dir, 'model.safetensors'), path.join(dir, 'model_dir')]) {
      await saveModel(model, target);
      const restored = await loadModel(target);
      assertClose(restored.predict(x) as Tensor, model.predict(x), { rtol: 0, atol: 0 });
      assert.equal(restored.compiled!.optimizer.iterations, 4);
      assert.equal(restored.compiled!.optimizer.constructor.name, 'Adam');
      assert.deepEqual(restored.compiled!.metrics.map((m) => m.name), ['accuracy']);
    }
    const config = JSON.parse(await fs.readFile(path.join(dir, 'model_dir', 'config.json'), 'utf8')) as { architecture: { className: string; version: number } };
    assert.deepEqual([config.architecture.className, config.architecture.version], ['Sequential', 1]);
  });

  it('rejects truncated, corrupt and foreign files with an error naming the file and the problem', async () => {
    const dir = await tempDir('tensile-saving-');
    const good = modelToBytes(smallModel());
    const cases: [string, Uint8Array, RegExp][] = [
      ['truncated.safetensors', good.subarray(0, good.length - 10), /truncated/],
      ['tiny.safetensors', good.subarray(0, 5), /only 5 bytes/],
      ['flipped.safetensors', Uint8Array.from(good, (b, i) => (i === good.length - 3 ? b ^ 0xff : b)), /checksum: the file is corrupt/],
      ['png.safetensors', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]), /header length .* exceeds/],
      ['weights-only.safetensors', encodeSafetensors({ w: tensor([1]) }), /not a Tensile model/],
    ];
    for (const [name, bytes, problem] of cases) {
      const file = path.join(dir, name);
      await fs.writeFile(file, bytes);
      await assert.rejects(loadModel(file), (e: Error) => {
        assert.ok(e instanceof ModelFileError, `${name}: ${e.message}`);
        assert.ok(e.message.startsWith(file), e.message);
        assert.match(e.message, problem);
        return true;
      });
    }
    await assert.rejects(loadModel(path.join(dir, 'missing')), /missing: does not exist/);
  });

  it('weights of a PyTorch-style module save and load; mismatches name the keys', async () => {
    const dir = await tempDir('tensile-saving-');
    class Net extends Module {
      fc = new Linear(4, 2);
    }
    const a = new Net();
    const b = new Net();
    await saveWeights(a, path.join(dir, 'net.safetensors'));
    await loadWeights(b, path.join(dir, 'net.safetensors'));
    assertClose(b.fc.kernel!, a.fc.kernel!);
    class Other extends Module {
      fc = new Linear(4, 3);
    }
    await assert.rejects(loadWeights(new Other(), path.join(dir, 'net.safetensors')), /net\.safetensors: the weights do not fit the module: .*'fc.kernel' has shape \[4,2\]/);
  });

  it('a process killed mid-save leaves the previous file intact', async () => {
    const dir = await tempDir('tensile-saving-');
    const target = path.join(dir, 'big.safetensors');
    manualSeed(1);
    const previous = new Sequential([new Dense({ units: 1024, inputShape: [4096] })]);
    await saveModel(previous, target);
    const child = fileURLToPath(new URL('./save-child.js', import.meta.url));
    for (const delay of [30, 120, 250]) {
      const proc = spawn(process.execPath, [child, target], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => proc.stdout.once('data', () => resolve()));
      await new Promise((resolve) => setTimeout(resolve, delay));
      proc.kill('SIGKILL');
      await new Promise((resolve) => proc.once('exit', resolve));
      const loaded = await loadModel(target);
      const kernel = loaded.stateDict()['dense.kernel'] ?? Object.values(loaded.stateDict())[0]!;
      assert.deepEqual(kernel.shape, [4096, 1024]);
    }
    const leftovers = (await fs.readdir(dir)).filter((f) => f !== 'big.safetensors');
    console.log(`kill test: ${leftovers.length} interrupted temporary file(s) left beside the intact model`);
    assert.ok(leftovers.every((f) => f.endsWith('.tmp')), `unexpected files ${leftovers.join(', ')}`);
  });

  it('training resumed from a checkpoint matches an uninterrupted run', async () => {
    const dir = await tempDir('tensile-saving-');
    const x = randn([40, 3, 2]);
    const y = randint(0, 3, [40]);
    const train = async (model: Sequential, options: { epochs: number; initialEpoch?: number; checkpoint?: string }): Promise<void> => {
      await model.fit(x, y, {
        epochs: options.epochs,
        initialEpoch: options.initialEpoch ?? 0,
        batchSize: 8,
        verbose: 0,
        callbacks: options.checkpoint ? [new ModelCheckpoint({ filepath: options.checkpoint })] : [],
      });
    };
    manualSeed(7);
    const straight = smallModel();
    straight.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy' });
    await train(straight, { epochs: 4, checkpoint: path.join(dir, 'epoch-{epoch}.safetensors') });

    randn([100]); // disturb the global generator: the checkpoint must restore it
    const resumed = (await loadModel(path.join(dir, 'epoch-2.safetensors'), { restoreRandomState: true })) as Sequential;
    await train(resumed, { epochs: 4, initialEpoch: 2 });
    for (const [name, t] of Object.entries(straight.stateDict())) assertClose(resumed.stateDict()[name]!, t, { rtol: 0, atol: 0, message: name });
  });
});
