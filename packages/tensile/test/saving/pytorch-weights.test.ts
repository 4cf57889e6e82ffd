/**
 * The PyTorch naming and layout convention without PyTorch (the equality with torch itself is
 * packages/tensile-cli/test/interop/pytorch.test.ts): the layouts computed the NCHW way PyTorch does give
 * Tensile's outputs, the state dict loads back, and wrong files are refused naming tensor, layer and shapes.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  add, BatchNormalization, Conv2D, DepthwiseConv2D, Dense, Dropout, Embedding, Flatten, GRU, LayerNormalization, manualSeed, matmul, permute, randn, reshape, Sequential, tensor,
} from '../../src/index.js';
import { encodePytorchSafetensors, encodeSafetensors, loadPytorchSafetensors, loadPytorchStateDict, ModelFileError, toPytorchStateDict } from '../../src/saving/index.js';
import { loadPytorchWeights, savePytorchWeights } from '../../src/saving/index.node.js';
import { assertClose } from '../helpers/assert.js';
import { tempDir } from 'tensile-test-support';

function convNet(seed: number): Sequential {
  manualSeed(seed);
  return new Sequential([
    new Conv2D({ name: 'conv', filters: 4, kernelSize: 3, groups: 2, padding: 'same', inputShape: [5, 6, 2] }),
    new DepthwiseConv2D({ name: 'depthwise', kernelSize: 2, depthMultiplier: 2 }),
    new BatchNormalization({ name: 'bn' }),
    new Flatten({ name: 'flatten' }),
    new Dropout({ name: 'dropout', rate: 0.5 }),
    new Dense({ name: 'fc', units: 3 }),
    new LayerNormalization({ name: 'ln' }),
  ], { name: 'conv_net' });
}

describe('PyTorch naming and layout convention', () => {
  it('names every tensor as PyTorch modules do, in PyTorch layouts', () => {
    const shapes = Object.fromEntries(Object.entries(toPytorchStateDict(convNet(1))).map(([name, t]) => [name, [...t.shape]]));
    assert.deepEqual(shapes, {
      'conv.weight': [4, 1, 3, 3], 'conv.bias': [4], 'depthwise.weight': [8, 1, 2, 2], 'depthwise.bias': [8],
      'bn.weight': [8], 'bn.bias': [8], 'bn.running_mean': [8], 'bn.running_var': [8],
      'fc.weight': [3, 160], 'fc.bias': [3], 'ln.weight': [3], 'ln.bias': [3],
    });
  });

  it('a Dense after Flatten gets its columns in NCHW order: PyTorch\'s Linear on the NCHW flatten gives Tensile\'s output', () => {
    manualSeed(2);
    const model = new Sequential([new Flatten({ name: 'flatten', inputShape: [3, 4, 5] }), new Dense({ name: 'fc', units: 6 })]);
    const x = randn([2, 3, 4, 5]);
    const { 'fc.weight': w, 'fc.bias': b } = toPytorchStateDict(model);
    const torchWay = add(matmul(reshape(permute(x, [0, 3, 1, 2]), [2, 60]), permute(w!, [1, 0])), b!);
    assertClose(torchWay, model.predict(x), { atol: 1e-5 });
  });

  it('loads a state dict back (file round trip, atomic write) and gives the same outputs', async () => {
    const source = convNet(3);
    const target = convNet(4);
    const x = randn([2, 5, 6, 2]);
    const file = path.join(await tempDir('tensile-pytorch-weights-'), 'weights.safetensors');
    await savePytorchWeights(source, file);
    await loadPytorchWeights(target, file);
    assertClose(target.predict(x), source.predict(x), { atol: 1e-6 });
    assert.deepEqual((await fs.readdir(path.dirname(file))).filter((f) => f.endsWith('.tmp')), []);
  });

  it('refuses a wrong file naming the tensor, the layer and both shapes, and changes no weight', () => {
    const model = convNet(5);
    const before = model.predict(randn([1, 5, 6, 2]).mul(0)).dataSync().slice();
    const state = toPytorchStateDict(model);
    const { 'fc.weight': _dropped, ...missing } = state;
    assert.throws(() => loadPytorchStateDict(model, missing, 'w.safetensors'), /w\.safetensors: has no tensor 'fc\.weight' \(layer 'fc', Dense\)/);
    assert.throws(() => loadPytorchStateDict(model, { ...state, 'fc.weight': randn([3, 161]) }, 'w.safetensors'), /w\.safetensors: tensor 'fc\.weight' is \[3,161\], but layer 'fc' \(Dense\) needs \[3,160\]/);
    assert.throws(() => loadPytorchStateDict(model, { ...state, 'head.weight': randn([2]) }, 'w.safetensors'), /holds tensors model 'conv_net' does not have: head\.weight/);
    assert.throws(() => loadPytorchStateDict(model, { ...state, 'fc.bias': tensor(new Int32Array(3), [3]) }, 'w.safetensors'), /tensor 'fc\.bias' has dtype int32, expected float32/);
    assert.deepEqual(model.predict(randn([1, 5, 6, 2]).mul(0)).dataSync(), before);
    const bytes = encodePytorchSafetensors(model);
    assert.throws(() => loadPytorchSafetensors(model, bytes.subarray(0, bytes.length - 9), 'cut.safetensors'), (e: unknown) => e instanceof ModelFileError && e.message.startsWith('cut.safetensors: '));
    assert.throws(() => loadPytorchSafetensors(model, encodeSafetensors({ other: randn([2]) }), 'foreign.safetensors'), /foreign\.safetensors: holds tensors model 'conv_net' does not have: other/);
  });

  it('refuses a layer without a convention by name, and reads Embedding as nn.Embedding', () => {
    const recurrent = new Sequential([new Embedding({ name: 'embed', inputDim: 7, outputDim: 3, inputShape: [4] }), new GRU({ name: 'gru', units: 2 })]);
    assert.throws(() => toPytorchStateDict(recurrent), /pytorch weights: layer 'gru' \(GRU\) has no PyTorch naming convention here/);
    const embedding = new Sequential([new Embedding({ name: 'embed', inputDim: 7, outputDim: 3, inputShape: [4] })]);
    assert.deepEqual([...toPytorchStateDict(embedding)['embed.weight']!.shape], [7, 3]);
  });
});
