/**
 * ONNX import: hand-written NCHW graphs of the ops a PyTorch or Keras export holds, run by
 * `decodeOnnx` and by ONNX Runtime on the same inputs (within 1e-4); Tensile's own export read back
 * (export → import → same outputs); bad files refused naming the file, node and op.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import { Conv2D, Dense, Flatten, manualSeed, MaxPool2D, ModelFileError, rand, randn, Sequential, type Tensor, tensor } from '../../src/index.js';
import { exportOnnx, loadOnnx } from '../../src/node.js';
import { decodeOnnx, encodeOnnx } from '../../src/onnx.js';
import { ATTRIBUTE, encodeModelProto, ONNX_FLOAT, ONNX_INT64, type OnnxAttribute, type OnnxNode, type OnnxTensor } from '../../src/onnx/onnx-proto.js';
import { tempDir } from 'tensile-test-support';

const run = promisify(execFile);

/** A small CNN in PyTorch, exported by torch.onnx.export; prints its input and output as CSV lines. */
const TORCH_EXPORT = `
import sys, torch, torch.nn as nn
torch.manual_seed(0)
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                                      nn.Conv2d(8, 16, 3, stride=2, groups=2, padding=1), nn.LeakyReLU(0.1), nn.AdaptiveAvgPool2d(1))
        self.head = nn.Sequential(nn.Linear(16, 10), nn.Softmax(dim=1))
    def forward(self, x):
        x = self.features(x)
        return self.head(x.view(x.size(0), -1))
net = Net().eval()
with torch.no_grad():
    net.features[1].running_mean.uniform_(-0.2, 0.2); net.features[1].running_var.uniform_(0.5, 1.5)
x = torch.rand(3, 1, 28, 28)
torch.onnx.export(net, x, sys.argv[1], input_names=['x'], output_names=['y'], dynamic_axes={'x': {0: 'batch'}, 'y': {0: 'batch'}}, opset_version=13)
print(','.join('%.9g' % v for v in x.flatten().tolist()))
print(','.join('%.9g' % v for v in net(x).flatten().tolist()))
`;

type Attr = number | readonly number[] | string;

function attr(name: string, v: Attr, float = false): OnnxAttribute {
  if (typeof v === 'string') return { name, type: ATTRIBUTE.STRING, s: new TextEncoder().encode(v) };
  if (typeof v !== 'number') return { name, type: ATTRIBUTE.INTS, ints: [...v] };
  return float ? { name, type: ATTRIBUTE.FLOAT, f: v } : { name, type: ATTRIBUTE.INT, i: v };
}

/** A one-node-at-a-time graph builder for the tests. */
class Graph {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];

  node(opType: string, inputs: string[], output: string, attributes: OnnxAttribute[] = []): string {
    this.nodes.push({ opType, name: `${opType.toLowerCase()}_${this.nodes.length}`, input: inputs, output: [output], attribute: attributes });
    return output;
  }

  floats(name: string, dims: number[]): string {
    const data = randn(dims).dataSync() as Float32Array;
    this.initializers.push({ name, dims, dataType: ONNX_FLOAT, floatData: Array.from(data) });
    return name;
  }

  int64(name: string, values: number[], dims = [values.length]): string {
    this.initializers.push({ name, dims, dataType: ONNX_INT64, int64Data: values });
    return name;
  }

  bytes(input: { name: string; shape: (number | string)[] }, output: string, opset = 17): Uint8Array {
    const dim = (d: number | string): { dimValue?: number; dimParam?: string } => (typeof d === 'number' ? { dimValue: d } : { dimParam: d });
    const info = (name: string, shape: (number | string)[]): { name: string; type: object } => ({ name, type: { tensorType: { elemType: ONNX_FLOAT, shape: { dim: shape.map(dim) } } } });
    return encodeModelProto({
      irVersion: 8,
      opsetImport: [{ domain: '', version: opset }],
      graph: { name: 'test', node: this.nodes, initializer: this.initializers, input: [info(input.name, input.shape)], output: [{ name: output }] },
    });
  }
}

async function runtimeOutput(bytes: Uint8Array, x: Tensor): Promise<Float32Array> {
  const session = await InferenceSession.create(bytes);
  const result = await session.run({ [session.inputNames[0]!]: new OrtTensor('float32', Float32Array.from(x.dataSync()), [...x.shape]) });
  return result[session.outputNames[0]!]!.data as Float32Array;
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'output sizes');
  return Array.from(a).reduce((worst, v, i) => Math.max(worst, Math.abs(v - b[i]!)), 0);
}

describe('ONNX import', () => {
  it('runs an NCHW CNN of the common ops as ONNX Runtime does', async (t) => {
    manualSeed(26);
    const g = new Graph();
    let h = g.node('Conv', ['x', g.floats('w1', [8, 3, 3, 3]), g.floats('b1', [8])], 'c1', [attr('pads', [1, 0, 2, 1]), attr('strides', [2, 1])]);
    h = g.node('BatchNormalization', [h, g.floats('gamma', [8]), g.floats('beta', [8]), g.floats('mean', [8]), g.node('Abs', [g.floats('var_raw', [8])], 'var')], 'bn', [attr('epsilon', 1e-3, true)]);
    h = g.node('LeakyRelu', [h], 'lrelu', [attr('alpha', 0.2, true)]);
    const grouped = g.node('Conv', [h, g.floats('w2', [8, 2, 3, 3])], 'c2', [attr('group', 4), attr('dilations', [2, 2]), attr('pads', [2, 2, 2, 2])]);
    const depthwise = g.node('Conv', [h, g.floats('w3', [8, 1, 2, 2])], 'c3', [attr('group', 8), attr('auto_pad', 'SAME_LOWER')]);
    h = g.node('Concat', [g.node('Relu', [grouped], 'r2'), g.node('Clip', [depthwise, g.floats('lo', []), ''], 'clip')], 'cat', [attr('axis', 1)]);
    h = g.node('Conv', [h, g.floats('w4', [16, 16, 3, 3])], 'c4', [attr('auto_pad', 'SAME_UPPER'), attr('strides', [2, 2])]);
    h = g.node('Pad', [h, g.int64('pads', [0, 0, 1, 0, 0, 0, 0, 2])], 'pad', [attr('mode', 'reflect')]);
    const maxed = g.node('MaxPool', [h], 'mp', [attr('kernel_shape', [3, 3]), attr('strides', [2, 2]), attr('pads', [1, 1, 1, 1])]);
    const averaged = g.node('AveragePool', [h], 'ap', [attr('kernel_shape', [3, 3]), attr('strides', [2, 2]), attr('pads', [1, 1, 1, 1]), attr('count_include_pad', 1)]);
    h = g.node('Div', [g.node('Sub', [maxed, averaged], 'diff'), g.node('Add', [g.node('Sigmoid', [averaged], 's'), g.floats('one', [1])], 'den')], 'ratio');
    const pooled = g.node('GlobalAveragePool', [h], 'gap');
    const squeezed = g.node('Squeeze', [pooled, g.int64('axes', [2, 3])], 'sq');
    const unsqueezed = g.node('Unsqueeze', [squeezed, g.int64('axes1', [1])], 'usq');
    const flat = g.node('Flatten', [g.node('Transpose', [unsqueezed], 'tr', [attr('perm', [0, 2, 1])])], 'flat');
    const dense = g.node('Gemm', [flat, g.floats('fc', [5, 16]), g.floats('fcb', [5])], 'fc_out', [attr('transB', 1), attr('alpha', 0.5, true), attr('beta', 2, true)]);
    const other = g.node('MatMul', [g.node('Tanh', [flat], 't'), g.floats('mm', [16, 5])], 'mm_out');
    const mixed = g.node('Mul', [dense, g.node('Elu', [other], 'elu')], 'mixed');
    // The shape arithmetic PyTorch writes for x.view(x.size(0), -1).
    const batch = g.node('Unsqueeze', [g.node('Gather', [g.node('Shape', [mixed], 'shape_of'), g.int64('zero', [0], [])], 'batch_size', [attr('axis', 0)]), g.int64('axes0', [0])], 'batch_dim');
    const reshaped = g.node('Reshape', [mixed, g.node('Concat', [batch, g.int64('rest', [-1])], 'target', [attr('axis', 0)])], 'reshaped');
    g.node('Add', [reshaped, g.node('Softmax', [g.node('Mul', [reshaped, g.floats('temperature', [])], 'scaled')], 'probabilities', [attr('axis', 1)])], 'y');
    const bytes = g.bytes({ name: 'x', shape: ['n', 3, 13, 11] }, 'y');
    const x = randn([2, 3, 13, 11]);
    const y = decodeOnnx(bytes).predict(x).dataSync();
    const difference = maxDifference(y, await runtimeOutput(bytes, x));
    const largest = Math.max(...Array.from(y, Math.abs));
    t.diagnostic(`output values up to ${largest.toFixed(2)}`);
    t.diagnostic(`hand-written NCHW CNN: max |tensile - onnxruntime| = ${difference.toExponential(2)}`);
    // float32 rounding grows with the values (random weights, no normalisation): 1e-4 relative to the largest.
    assert.ok(difference < 1e-4 * Math.max(1, largest), `max difference ${difference} for values up to ${largest}`);
  });

  it('reads Tensile\'s own export back: export → import gives the same outputs, through a file', async (t) => {
    const model = new Sequential([new Conv2D({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [12, 12, 2] }), new MaxPool2D(), new Flatten(), new Dense({ units: 3, activation: 'softmax' })]);
    const file = path.join(await tempDir('tensile-onnx-import-'), 'model.onnx');
    await exportOnnx(model, file);
    const imported = await loadOnnx(file);
    assert.deepEqual(imported.inputs[0]!.shape, [null, 12, 12, 2]);
    const x = rand([5, 12, 12, 2]);
    const difference = maxDifference(imported.predict(x).dataSync(), model.predict(x).dataSync());
    t.diagnostic(`export → import: max |difference| = ${difference.toExponential(2)}`);
    assert.ok(difference < 1e-5);
    assert.throws(() => imported.predict(rand([5, 12, 11, 2])), /input 'sequential\w*_input' expects \[any, 12, 12, 2\], got \[5,12,11,2\]/);
  });

  it('reads a file PyTorch wrote (torch.onnx.export) with PyTorch\'s outputs, where Debian\'s python3-torch is installed', async (t) => {
    const torch = await run('/usr/bin/python3', ['-c', 'import torch']).then(() => true, () => false);
    if (!torch) {
      t.skip('no python3-torch (apt-get install python3-torch): the PyTorch check was not run');
      return;
    }
    const file = path.join(await tempDir('tensile-onnx-torch-'), 'torch.onnx');
    const { stdout } = await run('/usr/bin/python3', ['-c', TORCH_EXPORT, file]);
    const [inputs, outputs] = stdout.trim().split('\n').map((line) => Float32Array.from(line.split(','), Number));
    const y = (await loadOnnx(file)).predict(tensor(inputs!, [3, 1, 28, 28])).dataSync();
    const difference = maxDifference(y, outputs!);
    t.diagnostic(`PyTorch CNN: max |tensile - torch| = ${difference.toExponential(2)}`);
    assert.ok(difference < 1e-4, `max difference ${difference}`);
  });

  it('refuses an unsupported op naming node and op, and truncated or foreign files naming the file', async () => {
    const g = new Graph();
    g.node('Relu', [g.node('NonMaxSuppression', ['x'], 'boxes')], 'y');
    assert.throws(() => decodeOnnx(g.bytes({ name: 'x', shape: [1, 4] }, 'y'), 'boxes.onnx'), /^ValueError: boxes\.onnx: node 'nonmaxsuppression_0' \(NonMaxSuppression\): op type 'NonMaxSuppression' is not supported by Tensile's ONNX import \(supported: .*Conv.*\)$/);
    const bytes = encodeOnnx(new Sequential([new Dense({ units: 64, inputShape: [32] })]));
    const dir = await tempDir('tensile-onnx-bad-');
    const truncated = path.join(dir, 'truncated.onnx');
    await writeFile(truncated, bytes.subarray(0, bytes.length - 100));
    await assert.rejects(loadOnnx(truncated), (e: unknown) => e instanceof ModelFileError && e.message.startsWith(`${truncated}: is not a readable ONNX file`));
    const foreign = path.join(dir, 'notes.onnx');
    await writeFile(foreign, JSON.stringify({ not: 'an onnx model' }));
    await assert.rejects(loadOnnx(foreign), (e: unknown) => e instanceof ModelFileError && e.message.startsWith(`${foreign}: is not`), 'a JSON file');
    await assert.rejects(loadOnnx(path.join(dir, 'missing.onnx')), (e: unknown) => e instanceof ModelFileError && e.message.includes('missing.onnx: cannot be read'));
  });
});
