/**
 * Kernel-level checks of the WASM backend against the reference backend (the oracle): GEMM edge
 * sizes and transposes, convolutions with stride/padding/dilation/groups, pooling, broadcasting,
 * threads, allocator growth, and the relaxed-SIMD build.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Backend, Conv2DInfo, MatMulInfo, Pool2DInfo, TensorRef } from '../../src/backend/contract.js';
import { UNARY } from '../../src/backends/reference/elementwise.js';
import { ReferenceBackend } from '../../src/backends/reference/index.js';
import { WasmBackend } from '../../src/backends/wasm/backend.js';
import * as kernelInterface from '../../src/backends/wasm/generated/kernel-interface.js';
import { kernelBinary } from '../../src/backends/wasm/module.js';
import { DTypeError } from '../../src/errors.js';
import type { DType, TypedArray } from '../../src/tensor/dtype.js';
import { sizeOf, type Shape } from '../../src/tensor/shape.js';
import { assertClose } from '../helpers/assert.js';
import { moduleUrl, runInFreshProcess } from '../helpers/fresh-process.js';

function random(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 2 ** 32) * 2 - 1;
  }
  return out;
}

/** Uploads the same host values to a backend and returns the ref. */
function put(backend: Backend, values: TypedArray, shape: Shape): TensorRef {
  const dtypes: Record<string, DType> = { Float32Array: 'float32', Int32Array: 'int32', Uint8Array: 'bool' };
  return { id: backend.upload(values), shape, dtype: dtypes[values.constructor.name]! };
}

const ACTIVATIONS = ['relu', 'sigmoid', 'tanh', 'softplus', 'elu', 'softsign'] as const;

/** How many float32 values lie between a and b (0 for two NaNs, ∞ when only one is NaN or their signs differ). */
function ulpDistance(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (a === b) return 0;
  const bits = new Int32Array(Float32Array.of(a, b).buffer);
  if (bits[0]! < 0 !== bits[1]! < 0) return Infinity;
  return Math.abs(bits[0]! - bits[1]!);
}

/** Runs `kernel` on the WASM backend and on the reference with the same inputs; compares outputs. */
function compare(
  wasm: Backend,
  inputs: { values: TypedArray; shape: Shape }[],
  outShape: Shape,
  kernel: (backend: Backend, refs: TensorRef[]) => object,
  message: string,
  rtol = 1e-4,
): void {
  const reference = new ReferenceBackend();
  const run = (backend: Backend): TypedArray => {
    const refs = inputs.map((x) => put(backend, x.values, x.shape));
    const id = kernel(backend, refs);
    const out = backend.readSync({ id, shape: outShape, dtype: 'float32' });
    backend.free(id);
    for (const r of refs) backend.free(r.id);
    return out;
  };
  assertClose(run(wasm), run(reference), { rtol, atol: 1e-5, message });
}

function convInfo(
  batch: number, inHeight: number, inWidth: number, inChannels: number, outChannels: number, filter: number,
  stride: number, pad: number, dilation: number, groups: number,
): Conv2DInfo {
  const span = (filter - 1) * dilation + 1;
  const out = (size: number): number => Math.floor((size + 2 * pad - span) / stride) + 1;
  return {
    batch, inHeight, inWidth, inChannels, outHeight: out(inHeight), outWidth: out(inWidth), outChannels,
    filterHeight: filter, filterWidth: filter, strideHeight: stride, strideWidth: stride,
    dilationHeight: dilation, dilationWidth: dilation, padTop: pad, padLeft: pad, groups,
  };
}

for (const threads of [1, 2]) {
  describe(`wasm kernels vs reference (${threads} thread${threads > 1 ? 's' : ''})`, () => {
    let wasm: WasmBackend;
    before(async () => {
      wasm = new WasmBackend({ threads });
      await wasm.whenReady();
    });
    after(() => wasm.dispose());

    it('runs on the requested number of threads', () => {
      assert.equal(wasm.threads, threads);
    });

    it('matmul: odd edge sizes and every transpose combination', () => {
      const sizes = [1, 3, 17, 33, 65];
      let seed = 1;
      for (const m of sizes) for (const n of sizes) for (const k of [1, 17, 65, 300]) {
        for (const transposeA of [false, true]) for (const transposeB of [false, true]) {
          const info: MatMulInfo = { batch: 1, m, n, k, transposeA, transposeB, aBatchStride: 0, bBatchStride: 0 };
          compare(wasm, [
            { values: random(m * k, seed++), shape: transposeA ? [k, m] : [m, k] },
            { values: random(k * n, seed++), shape: transposeB ? [n, k] : [k, n] },
          ], [m, n], (b, [a, bb]) => b.matmul(a!, bb!, info), `matmul m=${m} n=${n} k=${k} tA=${transposeA} tB=${transposeB}`);
        }
      }
    });

    it('matmul: large enough to be split across threads, and k = 0', () => {
      for (const [m, n, k] of [[260, 70, 513], [9, 1030, 40], [5, 6, 0]] as const) {
        const info: MatMulInfo = { batch: 1, m, n, k, transposeA: false, transposeB: true, aBatchStride: 0, bBatchStride: 0 };
        compare(wasm, [{ values: random(m * k, m), shape: [m, k] }, { values: random(k * n, n), shape: [n, k] }], [m, n],
          (b, [a, bb]) => b.matmul(a!, bb!, info), `matmul ${m}x${n}x${k}`);
      }
    });

    it('matmul: batched, with a broadcast (stride 0) operand, small and split by batch', () => {
      for (const [batch, m, n, k] of [[3, 5, 7, 9], [5, 30, 40, 250]] as const) {
        const info: MatMulInfo = { batch, m, n, k, transposeA: false, transposeB: false, aBatchStride: m * k, bBatchStride: 0 };
        compare(wasm, [{ values: random(batch * m * k, 3), shape: [batch, m, k] }, { values: random(k * n, 4), shape: [k, n] }],
          [batch, m, n], (b, [a, bb]) => b.matmul(a!, bb!, info), `batched matmul ${batch}x${m}x${n}x${k}`);
      }
    });

    it('matmul: a small output over a long depth, split along k (conv filter gradient shape)', () => {
      const [m, n, k] = [9, 20, 5003];
      const info: MatMulInfo = { batch: 1, m, n, k, transposeA: true, transposeB: false, aBatchStride: 0, bBatchStride: 0 };
      compare(wasm, [{ values: random(k * m, 5), shape: [k, m] }, { values: random(k * n, 6), shape: [k, n] }], [m, n],
        (b, [a, bb]) => b.matmul(a!, bb!, info), 'matmul 9x20x5003 (A transposed)', 1e-3);
    });

    it('matmul with an epilogue: + bias per column, then ReLU, on full and edge tiles, batched and not', () => {
      for (const [batch, m, n, k] of [[1, 33, 17, 65], [3, 7, 12, 0], [2, 6, 8, 300]] as const) {
        const info: MatMulInfo = { batch, m, n, k, transposeA: false, transposeB: false, aBatchStride: m * k, bBatchStride: k * n };
        const operands = [{ values: random(batch * m * k, 7), shape: [batch, m, k] }, { values: random(batch * k * n, 8), shape: [batch, k, n] }, { values: random(n, 9), shape: [n] }];
        for (const relu of [false, true]) {
          compare(wasm, operands, [batch, m, n], (b, [a, bb, bias]) => b.matmul(a!, bb!, info, { bias: bias!, relu }), `matmul ${batch}x${m}x${n}x${k} + bias${relu ? ' + relu' : ''}`);
        }
        compare(wasm, operands, [batch, m, n], (b, [a, bb]) => b.matmul(a!, bb!, info, { bias: null, relu: true }), `matmul ${batch}x${m}x${n}x${k} + relu`);
      }
    });

    it('matmul with a residual in the epilogue: + bias + residual, then ReLU, on full and edge tiles, several depth blocks, split across threads and by batch', () => {
      for (const [batch, m, n, k] of [[1, 33, 17, 65], [3, 7, 12, 0], [2, 6, 8, 300], [1, 260, 70, 513], [4, 30, 40, 250]] as const) {
        const info: MatMulInfo = { batch, m, n, k, transposeA: false, transposeB: false, aBatchStride: m * k, bBatchStride: k * n };
        const operands = [
          { values: random(batch * m * k, 7), shape: [batch, m, k] }, { values: random(batch * k * n, 8), shape: [batch, k, n] },
          { values: random(n, 9), shape: [n] }, { values: random(batch * m * n, 10), shape: [batch, m, n] },
        ];
        for (const relu of [false, true]) {
          compare(wasm, operands, [batch, m, n], (b, [a, bb, bias, residual]) => b.matmul(a!, bb!, info, { bias: bias!, residual: residual!, relu }),
            `matmul ${batch}x${m}x${n}x${k} + bias + residual${relu ? ' + relu' : ''}`);
        }
        compare(wasm, operands, [batch, m, n], (b, [a, bb, , residual]) => b.matmul(a!, bb!, info, { bias: null, residual: residual!, relu: true }),
          `matmul ${batch}x${m}x${n}x${k} + residual + relu`);
      }
    });

    const convCases: [string, Conv2DInfo][] = [
      ['3x3 valid, 1 input channel (K=9)', convInfo(2, 9, 8, 1, 8, 3, 1, 0, 1, 1)],
      ['1 input channel, 32 filters, stride 2 pad 1 (direct kernel: edges and interior)', convInfo(4, 28, 27, 1, 32, 3, 2, 1, 1, 1)],
      ['1 input channel, 12 filters, 5x5 pad 2, split across threads', convInfo(4, 28, 28, 1, 12, 5, 1, 2, 1, 1)],
      ['1 input channel, 20 filters (a 16-channel block and a 4-channel tail), 3x3 pad 1', convInfo(3, 11, 10, 1, 20, 3, 1, 1, 1, 1)],
      ['3x3 stride 2 pad 1', convInfo(2, 9, 7, 5, 6, 3, 2, 1, 1, 1)],
      ['dilation 2 pad 2', convInfo(1, 10, 9, 3, 4, 3, 1, 2, 2, 1)],
      ['groups 2', convInfo(2, 6, 6, 4, 6, 3, 1, 1, 1, 2)],
      ['depthwise (groups = channels)', convInfo(1, 7, 7, 3, 3, 3, 1, 1, 1, 3)],
      ['depthwise, 8 channels, 3x3 stride 2 pad 1 (direct kernel)', convInfo(2, 9, 8, 8, 8, 3, 2, 1, 1, 8)],
      ['depthwise, 36 channels, 3x3 pad 1, split across threads (direct kernel)', convInfo(2, 40, 40, 36, 36, 3, 1, 1, 1, 36)],
      ['1x1 pointwise', convInfo(2, 5, 4, 6, 7, 1, 1, 0, 1, 1)],
      ['1x1 stride 2', convInfo(1, 6, 6, 3, 5, 1, 2, 0, 1, 1)],
    ];
    for (const [name, info] of convCases) {
      it(`conv2d forward and both backprops: ${name}`, () => {
        const xShape = [info.batch, info.inHeight, info.inWidth, info.inChannels];
        const wShape = [info.filterHeight, info.filterWidth, info.inChannels / info.groups, info.outChannels];
        const yShape = [info.batch, info.outHeight, info.outWidth, info.outChannels];
        const x = { values: random(sizeOf(xShape), 11), shape: xShape };
        const w = { values: random(sizeOf(wShape), 12), shape: wShape };
        const dy = { values: random(sizeOf(yShape), 13), shape: yShape };
        compare(wasm, [x, w], yShape, (b, [xr, wr]) => b.conv2d(xr!, wr!, info), `conv2d ${name}`);
        const bias = { values: random(info.outChannels, 14), shape: [info.outChannels] };
        compare(wasm, [x, w, bias], yShape, (b, [xr, wr, br]) => b.conv2d(xr!, wr!, info, { bias: br!, relu: true }), `conv2d + bias + relu ${name}`);
        compare(wasm, [x, w, bias], yShape, (b, [xr, wr, br]) => b.conv2d(xr!, wr!, info, { bias: br!, relu: false }), `conv2d + bias ${name}`);
        const residual = { values: random(sizeOf(yShape), 15), shape: yShape };
        compare(wasm, [x, w, bias, residual], yShape, (b, [xr, wr, br, rr]) => b.conv2d(xr!, wr!, info, { bias: br!, residual: rr!, relu: true }),
          `conv2d + bias + residual + relu ${name}`);
        compare(wasm, [dy, w], xShape, (b, [dr, wr]) => b.conv2dBackpropInput(dr!, wr!, info), `conv2dBackpropInput ${name}`);
        compare(wasm, [x, dy], wShape, (b, [xr, dr]) => b.conv2dBackpropFilter(xr!, dr!, info), `conv2dBackpropFilter ${name}`);
      });
    }

    it('elementwise, where, cast and pooling large enough to be split across threads', () => {
      const cases: [Shape, Shape, Shape][] = [[[70001], [70001], [70001]], [[301, 250], [250], [301, 250]], [[3, 30001], [3, 1], [3, 30001]], [[70001], [], [70001]]];
      for (const [aShape, bShape, outShape] of cases) {
        const a = { values: random(sizeOf(aShape), 111), shape: aShape };
        const b = { values: random(sizeOf(bShape), 112), shape: bShape };
        compare(wasm, [a, b], outShape, (k, [x, y]) => k.binary('mul', x!, y!, outShape, 'float32'), `mul ${aShape} ${bShape}`);
        // gt → bool → float32 and where(gt, a, b) check the byte kernels' split points.
        compare(wasm, [a, b], outShape, (k, [x, y]) => {
          const mask = { id: k.binary('gt', x!, y!, outShape, 'bool'), shape: outShape, dtype: 'bool' as const };
          const chosen = k.where(mask, x!, y!, outShape);
          const asFloat = k.cast(mask, 'float32');
          const out = k.binary('add', { id: chosen, shape: outShape, dtype: 'float32' }, { id: asFloat, shape: outShape, dtype: 'float32' }, outShape, 'float32');
          for (const id of [mask.id, chosen, asFloat]) k.free(id);
          return out;
        }, `gt/where/cast ${aShape} ${bShape}`);
      }
      compare(wasm, [{ values: random(70001, 113), shape: [70001] }], [70001], (k, [x]) => k.unary('tanh', x!, 'float32'), 'tanh');
      for (const op of ACTIVATIONS) {
        const y = { values: random(70001, 116).map((v) => UNARY[op](v * 4)), shape: [70001] };
        compare(wasm, [{ values: random(70001, 117), shape: [70001] }, y], [70001], (k, [dy, yr]) => k.activationGrad(op, dy!, yr!), `activationGrad ${op} split`);
      }
      const info: Pool2DInfo = { batch: 9, inHeight: 26, inWidth: 26, channels: 32, outHeight: 13, outWidth: 13, filterHeight: 2, filterWidth: 2, strideHeight: 2, strideWidth: 2, padTop: 0, padLeft: 0 };
      const xShape = [9, 26, 26, 32];
      const yShape = [9, 13, 13, 32];
      for (const kind of ['max', 'avg'] as const) {
        const x = { values: random(sizeOf(xShape), 114), shape: xShape };
        compare(wasm, [x], yShape, (k, [xr]) => k.pool2d(kind, xr!, info), `pool2d ${kind} split`);
        compare(wasm, [{ values: random(sizeOf(yShape), 115), shape: yShape }, x], xShape, (k, [dr, xr]) => k.pool2dBackward(kind, dr!, xr!, info), `pool2dBackward ${kind} split`);
      }
    });

    it('pool2d max/avg forward and backward: tiling, uncovered edges, overlap, padding, ties', () => {
      const window = (inHeight: number, inWidth: number, channels: number, outHeight: number, outWidth: number, filter: number, stride: number, pad: number): Pool2DInfo => ({
        batch: 2, inHeight, inWidth, channels, outHeight, outWidth, filterHeight: filter, filterWidth: filter, strideHeight: stride, strideWidth: stride, padTop: pad, padLeft: pad,
      });
      const infos: [string, Pool2DInfo][] = [
        ['2×2/2 tiling the input', window(6, 6, 5, 3, 3, 2, 2, 0)],
        ['2×2/2 leaving the last row and column uncovered', window(7, 7, 6, 3, 3, 2, 2, 0)],
        ['2×2/1 overlapping', window(5, 6, 3, 4, 5, 2, 1, 0)],
        ['2×2/2 padded (clipped edge windows)', window(5, 5, 4, 3, 3, 2, 2, 1)],
        ['3×3/2 padded', window(7, 5, 8, 4, 3, 3, 2, 1)],
      ];
      for (const [name, info] of infos) {
        const xShape = [info.batch, info.inHeight, info.inWidth, info.channels];
        const yShape = [info.batch, info.outHeight, info.outWidth, info.channels];
        // Rounded ReLU outputs make many windows hold their maximum twice: the gradient goes to the first.
        const inputs = [['random', random(sizeOf(xShape), 21)], ['ties', random(sizeOf(xShape), 23).map((v) => Math.max(0, Math.round(2 * v) / 2))]] as const;
        for (const kind of ['max', 'avg'] as const) {
          for (const [values, data] of inputs) {
            const x = { values: data, shape: xShape };
            compare(wasm, [x], yShape, (b, [xr]) => b.pool2d(kind, xr!, info), `pool2d ${kind} ${name} ${values}`);
            compare(wasm, [{ values: random(sizeOf(yShape), 22), shape: yShape }, x], xShape,
              (b, [dr, xr]) => b.pool2dBackward(kind, dr!, xr!, info), `pool2dBackward ${kind} ${name} ${values}`);
          }
        }
      }
    });
  });
}

describe('wasm elementwise, reductions and fallbacks', () => {
  let wasm: WasmBackend;
  before(() => {
    wasm = new WasmBackend({ threads: 1 });
  });

  it('binary ops broadcast like numpy (same shape, scalar, row, column, middle axis)', () => {
    const cases: [Shape, Shape][] = [[[3, 5], [3, 5]], [[3, 5], []], [[], [4, 3]], [[2, 3, 5], [5]], [[2, 3, 5], [3, 1]], [[2, 1, 5], [1, 3, 1]], [[7], [1]]];
    for (const op of ['add', 'sub', 'mul', 'div', 'maximum', 'minimum'] as const) {
      for (const [aShape, bShape] of cases) {
        const outShape = aShape.length >= bShape.length
          ? aShape.map((d, i) => Math.max(d, bShape[i - (aShape.length - bShape.length)] ?? 1))
          : bShape.map((d, i) => Math.max(d, aShape[i - (bShape.length - aShape.length)] ?? 1));
        compare(wasm, [{ values: random(sizeOf(aShape), 31), shape: aShape }, { values: random(sizeOf(bShape), 32), shape: bShape }],
          outShape, (b, [x, y]) => b.binary(op, x!, y!, outShape, 'float32'), `${op} ${aShape} ${bShape}`);
      }
    }
    assert.equal(wasm.memory().fallbacks, 0);
  });

  it('unary ops with SIMD and Mathf paths', () => {
    const values = random(37, 41).map((v) => v * 3);
    for (const op of ['neg', 'abs', 'square', 'relu', 'floor', 'ceil', 'exp', 'sigmoid', 'tanh'] as const) {
      compare(wasm, [{ values, shape: [37] }], [37], (b, [x]) => b.unary(op, x!, 'float32'), op);
    }
    const positive = values.map((v) => Math.abs(v) + 0.1);
    for (const op of ['sqrt', 'log', 'reciprocal'] as const) {
      compare(wasm, [{ values: positive, shape: [37] }], [37], (b, [x]) => b.unary(op, x!, 'float32'), op);
    }
  });

  it('transcendentals stay within 4 ulp of Math over their whole range, specials included', () => {
    const values = Array.from({ length: 20001 }, (_, i) => {
      const u = i / 10000 - 1;
      return Math.sign(u) * Math.abs(u) ** 3 * 120;
    });
    for (let e = -45; e <= 38; e++) values.push(10 ** e, -(10 ** e));
    values.push(0, -0, Infinity, -Infinity, NaN, 88.7, 88.73, -87.3, -87.34, 0.625, -0.625);
    const x = Float32Array.from(values);
    for (const op of ['exp', 'log', 'expm1', 'log1p', 'sigmoid', 'tanh', 'softplus', 'elu', 'softsign'] as const) {
      const ref = put(wasm, x, [x.length]);
      const id = wasm.unary(op, ref, 'float32');
      const got = wasm.readSync({ id, shape: [x.length], dtype: 'float32' });
      wasm.free(id);
      wasm.free(ref.id);
      const want = x.map(UNARY[op]);
      for (let i = 0; i < x.length; i++) {
        const distance = ulpDistance(got[i]!, want[i]!);
        // exp's results below the smallest normal float flush to 0.
        if (distance > 4 && !(Math.abs(want[i]!) < 1.2e-38 && got[i] === 0)) {
          assert.fail(`${op}(${x[i]}) = ${got[i]}, expected ${want[i]} (${distance} ulp apart)`);
        }
      }
    }
    assert.equal(wasm.memory().fallbacks, 0);
  });

  it('sum/max/min over inner, middle and outer axes', () => {
    for (const [outer, size, inner] of [[1, 1000, 1], [3, 17, 1], [2, 9, 13], [1, 5, 2000]] as const) {
      for (const op of ['sum', 'max', 'min'] as const) {
        compare(wasm, [{ values: random(outer * size * inner, 51), shape: [outer, size, inner] }], [outer, inner],
          (b, [x]) => b.reduce(op, x!, outer, size, inner, 'float32'), `${op} ${outer}x${size}x${inner}`);
      }
    }
  });

  it('counts fallbacks to the reference kernels per kernel', () => {
    const before = wasm.memory();
    const x = put(wasm, random(8, 61), [8]);
    wasm.free(wasm.unary('erf', x, 'float32'));
    wasm.free(wasm.unary('erf', x, 'float32'));
    const after = wasm.memory();
    assert.equal(after.fallbacks, before.fallbacks + 2);
    assert.equal(after['fallback.unary.erf'], 2);
    wasm.free(x.id);
  });

  it('rejects float64 naming the kernel', () => {
    assert.throws(() => wasm.upload(new Float64Array(2)), (e: unknown) => e instanceof DTypeError && /wasm\.upload/.test(e.message));
    assert.throws(() => wasm.fill(2, 0, 'float64'), DTypeError);
  });
});

describe('wasm movement, comparisons, where, cast and arg-reductions', () => {
  let wasm: WasmBackend;
  before(() => {
    wasm = new WasmBackend({ threads: 1 });
  });

  const typed = (dtype: DType, values: number[] | Float32Array): TypedArray =>
    dtype === 'float32' ? Float32Array.from(values) : dtype === 'int32' ? Int32Array.from(values, (v) => Math.round(v * 100)) : Uint8Array.from(values, (v) => (v > 0 ? 1 : 0));

  /** Runs `kernel` on both backends with the same inputs; outputs must be identical (bit for bit). */
  function sameAsReference(inputs: TypedArray[], shapes: Shape[], outShape: Shape, outDType: DType, kernel: (b: Backend, refs: TensorRef[]) => object, message: string): void {
    const run = (backend: Backend): TypedArray => {
      const refs = inputs.map((values, i) => put(backend, values, shapes[i]!));
      const id = kernel(backend, refs);
      const out = backend.readSync({ id, shape: outShape, dtype: outDType });
      backend.free(id);
      for (const r of refs) backend.free(r.id);
      return out;
    };
    assert.deepEqual(run(wasm), run(new ReferenceBackend()), message);
  }

  it('strided copies: transposes across tile edges, permutes, broadcasts, flips and slices, for every dtype', () => {
    const cases: { shape: Shape; outShape: Shape; strides: number[]; offset: number; name: string }[] = [
      { shape: [70, 45], outShape: [45, 70], strides: [1, 45], offset: 0, name: 'transpose 70x45' },
      { shape: [2, 3, 4, 5], outShape: [2, 5, 3, 4], strides: [60, 1, 20, 5], offset: 0, name: 'NHWC → NCHW' },
      { shape: [3, 1], outShape: [3, 6], strides: [1, 0], offset: 0, name: 'broadcast a column' },
      { shape: [5], outShape: [4, 5], strides: [0, 1], offset: 0, name: 'broadcast a row' },
      { shape: [4, 9], outShape: [4, 9], strides: [9, -1], offset: 8, name: 'flip the last axis' },
      { shape: [6, 10], outShape: [3, 4], strides: [20, 2], offset: 11, name: 'strided slice' },
      { shape: [6, 10], outShape: [2, 7], strides: [10, 1], offset: 21, name: 'contiguous-row slice' },
    ];
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      for (const c of cases) {
        sameAsReference([typed(dtype, random(sizeOf(c.shape), 71))], [c.shape], c.outShape, dtype,
          (b, [x]) => b.stridedCopy(x!, c.outShape, c.strides, c.offset), `${dtype} ${c.name}`);
      }
      sameAsReference([typed(dtype, random(60, 72)), typed(dtype, random(12, 73))], [[6, 10], [3, 4]], [6, 10], dtype,
        (b, [base, src]) => b.stridedScatter(base!, src!, [20, 2], 11), `${dtype} stridedScatter`);
      for (const axis of [0, 1, 2]) {
        const shapes: Shape[] = [[2, 3, 4], [2, 3, 4].map((d, i) => (i === axis ? 5 : d))];
        const outShape = [2, 3, 4].map((d, i) => (i === axis ? d + 5 : d));
        sameAsReference(shapes.map((sh, i) => typed(dtype, random(sizeOf(sh), 74 + i))), shapes, outShape, dtype,
          (b, refs) => b.concat(refs, axis, outShape), `${dtype} concat axis ${axis}`);
      }
    }
    assert.equal(wasm.memory().fallbacks, 0);
  });

  it('comparisons into bool (NaN unordered), int32 arithmetic, float32 pow and mod, with broadcasting', () => {
    const floats = random(37, 81).map((v, i) => (i % 7 === 0 ? 0.5 : i === 20 ? NaN : v));
    const cases: [Shape, Shape, Shape][] = [[[37], [37], [37]], [[37], [], [37]], [[1, 37], [3, 1], [3, 37]]];
    for (const [aShape, bShape, outShape] of cases) {
      for (const dtype of ['float32', 'int32'] as const) {
        const a = typed(dtype, floats.subarray(0, sizeOf(aShape)));
        const b = typed(dtype, sizeOf(bShape) === 1 ? [0.5] : random(sizeOf(bShape), 82));
        for (const op of ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const) {
          sameAsReference([a, b], [aShape, bShape], outShape, 'bool', (k, [x, y]) => k.binary(op, x!, y!, outShape, 'bool'), `${dtype} ${op} ${aShape} ${bShape}`);
        }
      }
      for (const op of ['add', 'sub', 'mul', 'maximum', 'minimum'] as const) {
        sameAsReference([typed('int32', random(sizeOf(aShape), 83)), typed('int32', random(sizeOf(bShape), 84))], [aShape, bShape], outShape, 'int32',
          (k, [x, y]) => k.binary(op, x!, y!, outShape, 'int32'), `int32 ${op} ${aShape} ${bShape}`);
      }
      const positive = random(sizeOf(aShape), 85).map((v) => Math.abs(v) * 3 + 0.1);
      for (const op of ['pow', 'mod'] as const) {
        compare(wasm, [{ values: positive, shape: aShape }, { values: random(sizeOf(bShape), 86).map((v) => v * 2 + 0.05), shape: bShape }], outShape,
          (k, [x, y]) => k.binary(op, x!, y!, outShape, 'float32'), `${op} ${aShape} ${bShape}`);
      }
    }
    assert.equal(wasm.memory().fallbacks, 0);
  });

  it('where broadcasts condition and branches, for every dtype', () => {
    const cond = typed('bool', random(21, 91));
    for (const dtype of ['float32', 'int32', 'bool'] as const) {
      for (const [cShape, aShape, bShape, outShape] of [[[21], [21], [21], [21]], [[3, 7], [7], [], [3, 7]], [[3, 1, 7], [1, 4, 1], [4, 7], [3, 4, 7]]] as Shape[][]) {
        sameAsReference([cond.subarray(0, sizeOf(cShape!)), typed(dtype, random(sizeOf(aShape!), 92)), typed(dtype, random(sizeOf(bShape!), 93))],
          [cShape!, aShape!, bShape!], outShape!, dtype, (k, [c, a, b]) => k.where(c!, a!, b!, outShape!), `${dtype} where ${cShape} ${aShape} ${bShape}`);
      }
    }
    assert.equal(wasm.memory().fallbacks, 0);
  });

  it('casts between every pair of dtypes as typed-array stores do (NaN and ±∞ to 0, truncation, wrap-around)', () => {
    const specials = [0, -0, 0.5, -0.5, 1.9, -1.9, NaN, Infinity, -Infinity, 2 ** 31 + 5, -(2 ** 33) - 7, 3e20, 16777217];
    const inputs: Record<string, TypedArray> = {
      float32: Float32Array.from([...specials, ...random(20, 95).map((v) => v * 100)]),
      int32: Int32Array.from([0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 16777217, ...random(20, 96).map((v) => Math.round(v * 1e6))]),
      bool: Uint8Array.from([0, 1, 1, 0, ...random(20, 97).map((v) => (v > 0 ? 1 : 0))]),
    };
    for (const from of ['float32', 'int32', 'bool'] as const) {
      for (const to of ['float32', 'int32', 'bool'] as const) {
        const values = inputs[from]!;
        sameAsReference([values], [[values.length]], [values.length], to, (k, [x]) => k.cast(x!, to), `${from} → ${to}`);
      }
    }
    assert.equal(wasm.memory().fallbacks, 0);
  });

  it('gather and scatter-add along outer, middle and last axes, repeated indices accumulating', () => {
    const indices = Int32Array.from([2, 0, 2, 3, 1, 2]);
    for (const [shape, axis] of [[[5, 3], 0], [[2, 4, 3], 1], [[3, 4], 1]] as [Shape, number][]) {
      const outShape = [...shape.slice(0, axis), 2, 3, ...shape.slice(axis + 1)];
      for (const dtype of ['float32', 'int32', 'bool'] as const) {
        sameAsReference([typed(dtype, random(sizeOf(shape), 101)), indices], [shape, [2, 3]], outShape, dtype,
          (k, [x, i]) => k.gather(x!, i!, axis, outShape), `${dtype} gather ${shape} axis ${axis}`);
      }
      compare(wasm, [{ values: random(sizeOf(shape), 102), shape }, { values: indices as unknown as Float32Array, shape: [2, 3] }, { values: random(sizeOf(outShape), 103), shape: outShape }],
        shape, (k, [base, i, src]) => k.scatterAdd(base!, { ...i!, dtype: 'int32' }, src!, axis), `scatterAdd ${shape} axis ${axis}`);
    }
    assert.equal(wasm.memory().fallbacks, 0);
  });

  it('argmax/argmin take the first extreme and the first NaN', () => {
    const values = Float32Array.from([1, 3, 3, -2, NaN, 0, 5, NaN, -7, -7, 2, 1]);
    for (const [outer, size, inner] of [[1, 12, 1], [3, 4, 1], [1, 4, 3], [2, 3, 2]] as const) {
      for (const op of ['argmax', 'argmin'] as const) {
        sameAsReference([values], [[outer, size, inner]], [outer, inner], 'int32',
          (k, [x]) => k.reduce(op, x!, outer, size, inner, 'int32'), `${op} ${outer}x${size}x${inner}`);
      }
    }
    assert.equal(wasm.memory().fallbacks, 0);
  });
});

describe('wasm memory', () => {
  it('grows the shared memory, keeps old buffers intact and reuses freed blocks', () => {
    const wasm = new WasmBackend({ threads: 1, initialBytes: 1 << 16 });
    const first = put(wasm, random(1000, 71), [1000]);
    const growthsBefore = wasm.memory().heapGrowths;
    const big: TensorRef[] = [];
    for (let i = 0; i < 8; i++) big.push({ id: wasm.fill(1 << 18, i, 'float32'), shape: [1 << 18], dtype: 'float32' });
    assert.ok(wasm.memory().heapGrowths > growthsBefore, 'memory grew');
    assertClose(wasm.readSync(first), random(1000, 71), { message: 'buffer written before growth' });
    const late = put(wasm, random(10, 72), [10]);
    assertClose(wasm.readSync(late), random(10, 72), { message: 'buffer written after growth' });
    assert.equal(wasm.readSync(big[7]!)[(1 << 18) - 1], 7);
    const heapBytes = wasm.memory().heapBytes;
    for (const t of big) wasm.free(t.id);
    for (let i = 0; i < 8; i++) wasm.free(wasm.fill(1 << 18, 0, 'float32'));
    assert.equal(wasm.memory().heapBytes, heapBytes, 'freed blocks are reused, no growth');
    assert.equal(wasm.memory().buffers, 2);
    for (const t of [first, late]) wasm.free(t.id);
    assert.equal(wasm.memory().buffers, 0);
    assert.equal(wasm.memory().bytes, 0);
  });

  it('a block beyond the 2 GiB memory is refused with what holds the memory, and the allocator stays usable', () => {
    const wasm = new WasmBackend({ threads: 1, initialBytes: 1 << 16 });
    const kept = put(wasm, random(1000, 73), [1000]);
    const before = wasm.memory();
    assert.throws(
      () => wasm.fill(600 << 20, 0, 'float32'),
      (error: Error) =>
        /out of memory: a block of 2516582400 bytes does not fit in the 2147483648-byte WASM memory, where \d+ blocks in use hold \d+ bytes/.test(error.message) &&
        /dispose\(\)/.test(error.message) && /scope\(\)/.test(error.message),
    );
    assert.deepEqual(wasm.memory(), before, 'the refused block left no trace');
    const after = put(wasm, random(10, 74), [10]);
    assertClose(wasm.readSync(after), random(10, 74));
    assertClose(wasm.readSync(kept), random(1000, 73));
    for (const t of [kept, after]) wasm.free(t.id);
  });

  it("keeps a forward conv's patch matrix for the filter gradient of the same input only", () => {
    const wasm = new WasmBackend({ threads: 1 });
    const reference = new ReferenceBackend();
    const info = convInfo(2, 7, 6, 3, 4, 3, 1, 1, 1, 1);
    const other = convInfo(2, 7, 6, 3, 4, 3, 2, 1, 1, 1);
    const xShape = [2, 7, 6, 3];
    const read = (b: Backend, id: object, shape: Shape): TypedArray => b.readSync({ id, shape, dtype: 'float32' });
    const filterGrad = (b: Backend, conv: Conv2DInfo, forward: Conv2DInfo): TypedArray => {
      const x = put(b, random(sizeOf(xShape), 91), xShape);
      const w = put(b, random(3 * 3 * 3 * 4, 92), [3, 3, 3, 4]);
      const dy = put(b, random(conv.batch * conv.outHeight * conv.outWidth * 4, 93), [conv.batch, conv.outHeight, conv.outWidth, 4]);
      b.free(b.conv2d(x, w, forward));
      const dw = b.conv2dBackpropFilter(x, dy, conv);
      for (const r of [x, w, dy]) b.free(r.id);
      return read(b, dw, [3, 3, 3, 4]);
    };
    // Same x and geometry: the kept matrix is used, then dropped.
    assertClose(filterGrad(wasm, info, info), filterGrad(reference, info, info), { rtol: 1e-4, atol: 1e-5, message: 'kept patches' });
    assert.equal(wasm.memory()['keptPatchBytes'], 0);
    // Another geometry of the same x must not read the kept matrix.
    assertClose(filterGrad(wasm, other, info), filterGrad(reference, other, info), { rtol: 1e-4, atol: 1e-5, message: 'other geometry' });
    assert.equal(wasm.memory()['keptPatchBytes'], 0, 'freeing x drops the kept matrix');
  });

  it('a multi-threaded kernel whose per-thread scratch grows the memory writes its tasks into the grown memory', async () => {
    // Regression: task arguments were written through a view taken before the scratch allocation grew the heap.
    const wasm = new WasmBackend({ threads: 2, initialBytes: 1 << 16 });
    await wasm.whenReady();
    const n = 1 << 20;
    const [x, y] = [random(n, 81), random(n, 82)];
    const a = put(wasm, x, [n]);
    const b = put(wasm, y, [n]);
    const sum = wasm.readSync({ id: wasm.binary('add', a, b, [n], 'float32'), shape: [n], dtype: 'float32' });
    const expected = x.map((v, i) => v + y[i]!);
    assertClose(sum, expected);
    wasm.dispose();
  });

  it('int32 and bool buffers round-trip', () => {
    const wasm = new WasmBackend({ threads: 1 });
    const ints = put(wasm, Int32Array.from([1, -2, 3]), [3]);
    const bools = put(wasm, Uint8Array.from([1, 0, 1, 1]), [4]);
    assert.deepEqual([...wasm.readSync(ints)], [1, -2, 3]);
    assert.deepEqual([...wasm.readSync(bools)], [1, 0, 1, 1]);
  });
});

describe('wasm relaxed SIMD build', () => {
  it('agrees with the plain SIMD build within float32 tolerance', async () => {
    // Node 20 validates relaxed SIMD only behind a flag, so the comparison runs in a child process.
    const script = `
      import { WasmBackend } from ${moduleUrl('../../src/backends/wasm/backend.js', import.meta.url)};
      const values = (n, s) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + s));
      const info = { batch: 1, m: 67, n: 45, k: 300, transposeA: false, transposeB: false, aBatchStride: 0, bBatchStride: 0 };
      const results = [false, true].map((relaxedSimd) => {
        const be = new WasmBackend({ threads: 1, relaxedSimd });
        const a = { id: be.upload(values(67 * 300, 1)), shape: [67, 300], dtype: 'float32' };
        const b = { id: be.upload(values(300 * 45, 2)), shape: [300, 45], dtype: 'float32' };
        return { variant: be.variant, out: be.readSync({ id: be.matmul(a, b, info), shape: [67, 45], dtype: 'float32' }) };
      });
      let diff = 0;
      results[0].out.forEach((v, i) => { diff = Math.max(diff, Math.abs(v - results[1].out[i]) / (1 + Math.abs(v))); });
      console.log(JSON.stringify({ variants: results.map((r) => r.variant), diff }));`;
    const output = await runInFreshProcess(script, { nodeArgs: ['--experimental-wasm-relaxed-simd'] });
    const { variants, diff } = JSON.parse(output) as { variants: string[]; diff: number };
    assert.deepEqual(variants, ['simd', 'relaxedSimd']);
    assert.ok(diff < 1e-5, `relative difference ${diff}`);
  });

  it('is opt-in: without the engine flag the plain build is chosen and the reason is reported', () => {
    if (WebAssembly.validate(kernelBinary('relaxedSimd'))) return;
    const wasm = new WasmBackend({ threads: 1, relaxedSimd: true });
    assert.equal(wasm.variant, 'simd');
    assert.match(wasm.relaxedSimdUnavailable, /--experimental-wasm-relaxed-simd/);
  });
});

describe('wasm host↔kernel interface', () => {
  it('the generated constants and enums are the values the loaded kernels export, for both builds', () => {
    for (const variant of ['simd', 'relaxedSimd'] as const) {
      if (!WebAssembly.validate(kernelBinary(variant))) continue;
      const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
      const exports = new WebAssembly.Instance(new WebAssembly.Module(kernelBinary(variant)), { env: { memory } }).exports;
      const exported = (name: string): unknown => (exports[name] as WebAssembly.Global | undefined)?.value;
      let checked = 0;
      for (const [name, value] of Object.entries(kernelInterface)) {
        if (typeof value === 'number') {
          assert.equal(exported(name), value, `${variant}: ${name}`);
          checked++;
        } else if (typeof value === 'object') {
          for (const [member, code] of Object.entries(value as Record<string, number>)) {
            assert.equal(exported(`${name}.${member}`), code, `${variant}: ${name}.${member}`);
            checked++;
          }
        }
      }
      assert.ok(checked > 50, `${variant}: ${checked} values checked`);
      const globals = Object.values(exports).filter((e) => e instanceof WebAssembly.Global).length;
      assert.equal(globals, checked, `${variant}: every exported constant is in the generated interface`);
    }
  });
});
