/**
 * Child process of isa.test.ts: runs GEMMs (edge sizes, narrow products, transposes, broadcast batches, epilogues)
 * and convolutions (groups, strides, dilation, padding, 1×1, chunks per thread, few-tap and depthwise direct ones, both backprops, bias and ReLU) on the native backend
 * with the micro-kernel TENSILE_NATIVE_ISA picks, and prints that kernel and the largest error
 * relative to the reference backend as one JSON line.
 */
import type { Backend, Conv2DInfo, MatMulInfo, TensorRef } from 'tensile';
import { Generator, ReferenceBackend } from 'tensile';
import { NativeBackend } from '../src/index.js';

const native = new NativeBackend({ threads: 2 });
const reference = new ReferenceBackend();
const random = new Generator(7);
let worst = 0;

function values(size: number): Float32Array {
  return Float32Array.from({ length: size }, () => random.random() * 2 - 1);
}

function ref(backend: Backend, data: Float32Array, shape: number[]): TensorRef {
  return { id: backend.upload(data), shape, dtype: 'float32' };
}

/** Runs `op` on both backends over the same inputs and records the largest scaled difference. */
function compare(inputs: { data: Float32Array; shape: number[] }[], op: (backend: Backend, refs: TensorRef[]) => object, shape: number[]): void {
  const [got, want] = [native, reference].map((backend) => {
    const refs = inputs.map((x) => ref(backend, x.data, x.shape));
    return backend.readSync({ id: op(backend, refs), shape, dtype: 'float32' });
  });
  for (let i = 0; i < want!.length; i++) worst = Math.max(worst, Math.abs(got![i]! - want![i]!) / (1 + Math.abs(want![i]!)));
}

for (const [m, n, k] of [[1, 1, 1], [37, 3, 70], [7, 33, 5], [9, 65, 300], [33, 17, 257], [130, 100, 64], [1000, 40, 50]] as const) {
  for (const [transposeA, transposeB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    const info: MatMulInfo = { batch: 2, m, n, k, transposeA, transposeB, aBatchStride: m * k, bBatchStride: 0 };
    const bias = values(n);
    compare(
      [{ data: values(2 * m * k), shape: [2, m * k] }, { data: values(k * n), shape: [k, n] }, { data: bias, shape: [n] }],
      (backend, [a, b, c]) => backend.matmul(a!, b!, info, { bias: c!, relu: transposeA }),
      [2, m, n],
    );
  }
}

const convs: Conv2DInfo[] = [
  { batch: 2, inHeight: 9, inWidth: 8, inChannels: 4, outHeight: 4, outWidth: 3, outChannels: 6, filterHeight: 3, filterWidth: 2, strideHeight: 2, strideWidth: 3, dilationHeight: 1, dilationWidth: 2, padTop: 1, padLeft: 0, groups: 2 },
  { batch: 3, inHeight: 5, inWidth: 5, inChannels: 3, outHeight: 5, outWidth: 5, outChannels: 40, filterHeight: 3, filterWidth: 3, strideHeight: 1, strideWidth: 1, dilationHeight: 1, dilationWidth: 1, padTop: 1, padLeft: 1, groups: 1 },
  { batch: 2, inHeight: 4, inWidth: 6, inChannels: 5, outHeight: 4, outWidth: 6, outChannels: 7, filterHeight: 1, filterWidth: 1, strideHeight: 1, strideWidth: 1, dilationHeight: 1, dilationWidth: 1, padTop: 0, padLeft: 0, groups: 1 },
  // Depthwise (a channel per group, run directly forward): whole vector blocks and a tail, stride, dilation and padding.
  { batch: 2, inHeight: 9, inWidth: 8, inChannels: 37, outHeight: 5, outWidth: 4, outChannels: 37, filterHeight: 3, filterWidth: 3, strideHeight: 2, strideWidth: 2, dilationHeight: 2, dilationWidth: 1, padTop: 2, padLeft: 1, groups: 37 },
  // Enough images of enough patches that each thread takes whole chunks of them (groups too).
  { batch: 5, inHeight: 32, inWidth: 32, inChannels: 16, outHeight: 32, outWidth: 32, outChannels: 12, filterHeight: 3, filterWidth: 3, strideHeight: 1, strideWidth: 1, dilationHeight: 1, dilationWidth: 1, padTop: 1, padLeft: 1, groups: 2 },
  // Few taps per output (direct path): one channel with an output-channel tail, and two channels with whole vector blocks.
  { batch: 3, inHeight: 9, inWidth: 7, inChannels: 1, outHeight: 5, outWidth: 4, outChannels: 37, filterHeight: 3, filterWidth: 3, strideHeight: 2, strideWidth: 2, dilationHeight: 1, dilationWidth: 2, padTop: 1, padLeft: 1, groups: 1 },
  { batch: 5, inHeight: 12, inWidth: 11, inChannels: 2, outHeight: 11, outWidth: 10, outChannels: 32, filterHeight: 2, filterWidth: 2, strideHeight: 1, strideWidth: 1, dilationHeight: 1, dilationWidth: 1, padTop: 0, padLeft: 0, groups: 1 },
];
for (const c of convs) {
  const x = { data: values(c.batch * c.inHeight * c.inWidth * c.inChannels), shape: [c.batch, c.inHeight, c.inWidth, c.inChannels] };
  const fShape = [c.filterHeight, c.filterWidth, c.inChannels / c.groups, c.outChannels];
  const f = { data: values(fShape.reduce((a, b) => a * b, 1)), shape: fShape };
  const yShape = [c.batch, c.outHeight, c.outWidth, c.outChannels];
  const dy = { data: values(yShape.reduce((a, b) => a * b, 1)), shape: yShape };
  compare([x, f], (backend, [xr, fr]) => backend.conv2d(xr!, fr!, c), yShape);
  const bias = { data: values(c.outChannels), shape: [c.outChannels] };
  compare([x, f, bias], (backend, [xr, fr, br]) => backend.conv2d(xr!, fr!, c, { bias: br!, relu: true }), yShape);
  compare([dy, f], (backend, [dr, fr]) => backend.conv2dBackpropInput(dr!, fr!, c), x.shape);
  compare([x, dy], (backend, [xr, dr]) => backend.conv2dBackpropFilter(xr!, dr!, c), fShape);
}

console.log(JSON.stringify({ isa: native.isa, worst }));
