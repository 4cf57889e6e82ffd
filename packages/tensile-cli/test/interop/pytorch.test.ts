/**
 * Tensile ↔ PyTorch, where /usr/bin/python3 has torch (Debian's python3-torch; skipped with one line
 * otherwise): `tensile export pytorch` writes a network's weights under PyTorch's names and layouts,
 * torch_peer.py loads them into the equivalent nn.Module (strict) and gives Tensile's outputs within 1e-4,
 * for a test network and for the face embedder (untrained; the trained file is not in the repository);
 * then the many-machines round trip on one machine: torch trains the weights with DistributedDataParallel
 * in two processes, `tensile import pytorch` brings them back, and Tensile's outputs are torch's.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  Activation, BatchNormalization, Conv2D, decodeSafetensors, Dense, Dropout, encodeSafetensors, Flatten, manualSeed, MaxPool2D, rand, randint, Sequential, type Tensor,
} from 'tensile';
import { loadModel, saveModel } from 'tensile/node';
import { tempDir } from 'tensile-test-support';
import { faceChips, FACES, untrainedEmbedder } from '../face-embedder-fixture.js';
import { randomizeWeights } from '../random-weights.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
// The script is not compiled: read from the source tree beside this test's source.
const peer = fileURLToPath(new URL('../../../test/interop/torch_peer.py', import.meta.url));
const PYTHON = '/usr/bin/python3';
const TOLERANCE = 1e-4;
const torchPresent = await run(PYTHON, ['-c', 'import torch']).then(() => true, () => false);
/** One thread per torch process: the machine's cores are shared. */
const env = { ...process.env, OMP_NUM_THREADS: '1' };

/** The network torch_peer.py's network() mirrors, layer name for layer name. */
function network(): Sequential {
  manualSeed(30);
  const model = new Sequential([
    new Conv2D({ name: 'conv1', filters: 8, kernelSize: 3, strides: 2, padding: 'same' }),
    new BatchNormalization({ name: 'bn1' }),
    new Activation({ name: 'relu1', activation: 'relu' }),
    new Conv2D({ name: 'conv2', filters: 12, kernelSize: 3, groups: 2, padding: 'same', useBias: false }),
    new MaxPool2D({ name: 'pool', poolSize: 2 }),
    new Flatten({ name: 'flatten' }),
    new Dropout({ name: 'dropout', rate: 0.3 }),
    new Dense({ name: 'fc1', units: 16 }),
    new BatchNormalization({ name: 'fc1_bn' }),
    new Activation({ name: 'fc1_relu', activation: 'relu' }),
    new Dense({ name: 'logits', units: 5 }),
  ], { name: 'torch_twin', inputShape: [16, 16, 3] });
  randomizeWeights(model);
  return model;
}

/** A TCP port free on this machine now, for the processes' rendezvous. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function tensile(...args: string[]): Promise<string> {
  return (await run(process.execPath, [cli, ...args])).stdout;
}

async function readY(file: string): Promise<Tensor> {
  return decodeSafetensors(new Uint8Array(await readFile(file)), file, { skipChecksum: true }).tensors['y']!;
}

function maxDifference(a: Tensor, b: Tensor): number {
  assert.deepEqual([...a.shape], [...b.shape]);
  const [x, y] = [Array.from(a.dataSync()), b.dataSync()];
  return x.reduce((w, v, i) => Math.max(w, Math.abs(v - y[i]!)), 0);
}

describe('Tensile and PyTorch', { skip: torchPresent ? false : `no ${PYTHON} with torch (apt-get install python3-torch): the PyTorch tests are skipped` }, () => {
  it('tensile export pytorch: the nn.Module twin loads the weights strictly and gives Tensile\'s outputs', async (t) => {
    const dir = await tempDir('tensile-pytorch-');
    const model = network();
    const [modelFile, weights, data, out] = ['model.safetensors', 'torch.safetensors', 'data.safetensors', 'y.safetensors'].map((f) => path.join(dir, f)) as [string, string, string, string];
    await saveModel(model, modelFile);
    const stdout = await tensile('export', 'pytorch', modelFile, weights);
    assert.match(stdout, /conv1\.weight \[8, 3, 3, 3\], conv1\.bias \[8\], bn1\.weight \[8\], bn1\.bias \[8\], bn1\.running_mean \[8\], bn1\.running_var \[8\], conv2\.weight \[12, 4, 3, 3\], fc1\.weight \[16, 192\]/);
    const x = rand([6, 16, 16, 3]);
    await writeFile(data, encodeSafetensors({ x }));
    await run(PYTHON, [peer, 'forward', 'twin', weights, data, out], { env });
    const difference = maxDifference(await readY(out), model.predict(x));
    t.diagnostic(`PyTorch module vs Tensile: max |difference| = ${difference.toExponential(2)}`);
    assert.ok(difference < TOLERANCE, `max difference ${difference}`);
  });

  it('the face embedder (untrained, seeded) in its PyTorch twin gives Tensile\'s unit embeddings of LFW faces', async (t) => {
    const dir = await tempDir('tensile-pytorch-face-');
    const embedder = untrainedEmbedder();
    const [file, weights, data, out] = ['embedder.safetensors', 'torch.safetensors', 'data.safetensors', 'y.safetensors'].map((f) => path.join(dir, f)) as [string, string, string, string];
    await embedder.save(file);
    assert.match(await tensile('export', 'pytorch', file, weights), /stage1a_conv\.weight \[32, 3, 3, 3\], stage1a_bn\.weight \[32\], .* embedding\.weight \[128, 4608\], embedding_bn\.weight \[128\]/);
    const { x, real } = await faceChips(t);
    await writeFile(data, encodeSafetensors({ x }));
    await run(PYTHON, [peer, 'forward', 'face-embedder', weights, data, out], { env });
    const difference = maxDifference(await readY(out), embedder.model.predict(x));
    t.diagnostic(`face embedder on ${FACES} ${real ? 'LFW faces' : 'random chips'}: max |torch - tensile| = ${difference.toExponential(2)}`);
    assert.ok(difference < TOLERANCE, `max difference ${difference}`);
  });

  it('many machines on one: torch trains the exported weights with DistributedDataParallel (2 processes), tensile import pytorch brings them back', async (t) => {
    const dir = await tempDir('tensile-pytorch-ddp-');
    const model = network();
    const [modelFile, weights, data, trained, out, imported] = ['model.safetensors', 'torch.safetensors', 'data.safetensors', 'trained.safetensors', 'y.safetensors', 'imported.safetensors'].map((f) => path.join(dir, f)) as [string, string, string, string, string, string];
    await saveModel(model, modelFile);
    await tensile('export', 'pytorch', modelFile, weights);
    const x = rand([8, 16, 16, 3]);
    await writeFile(data, encodeSafetensors({ x, labels: randint(0, 5, [8]).cast('float32') }));
    // The env:// rendezvous torchrun would set up (Debian's torch 1.13 torchrun fails on Python ≥ 3.11), two processes on this machine.
    const port = String(await freePort());
    const ranks = [0, 1].map((rank) => run(PYTHON, [peer, 'train', weights, data, trained, out], { env: { ...env, MASTER_ADDR: '127.0.0.1', MASTER_PORT: port, RANK: String(rank), WORLD_SIZE: '2' } }));
    const logs = (await Promise.all(ranks)).map((r) => r.stdout).join('');
    assert.match(logs, /rank 1\/2 step 3: loss/);
    assert.match(logs, /rank 0\/2 step 3: loss/);
    assert.match(await tensile('import', 'pytorch', modelFile, trained, imported), /wrote .*imported\.safetensors: 'torch_twin' .* with the weights of .*trained\.safetensors/);
    const back = await loadModel(imported);
    const predict = (input: Tensor): Tensor => back.predict(input) as Tensor;
    const torchY = await readY(out);
    const difference = maxDifference(torchY, predict(x));
    const moved = maxDifference(model.predict(x), predict(x));
    t.diagnostic(`after 3 DDP steps in torch: max |torch - tensile| = ${difference.toExponential(2)}; the outputs moved by up to ${moved.toFixed(3)}`);
    assert.ok(difference < TOLERANCE, `max difference ${difference}`);
    assert.ok(moved > 1e-3, 'training changed the weights');
  });
});
