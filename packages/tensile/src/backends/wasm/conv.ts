/**
 * Convolutions (asm/conv.ts with the GEMM of gemm.ts): patch matrices (im2col / col2im) multiplied
 * by the filter, direct kernels for one-channel inputs, and the patch matrix of the last forward
 * pass kept for the filter gradient of the same input.
 */
import type { Conv2DInfo, DataId, OutputEpilogue, TensorRef } from '../../backend/contract.js';
import { epilogueFields, epilogueTensors, gemm, PARALLEL_MIN_FLOPS } from './gemm.js';
import { BinaryCode, ElementwiseKind, UnaryCode } from './generated/kernel-interface.js';
import { splitRange, type TempBlock, type WasmRuntime } from './runtime.js';

/** im2col/col2im rows are split across threads above this many moved floats. */
const PARALLEL_MIN_COPY = 1 << 16;

function isPointwise(info: Conv2DInfo): boolean {
  return info.filterHeight === 1 && info.filterWidth === 1 && info.strideHeight === 1 && info.strideWidth === 1
    && info.padTop === 0 && info.padLeft === 0 && info.outHeight === info.inHeight && info.outWidth === info.inWidth;
}

/** Depthwise (a group per channel, one filter each), no dilation, channels in fours: a direct kernel instead of one GEMM per channel. */
function isDirectDepthwise(info: Conv2DInfo): boolean {
  return info.groups > 1 && info.groups === info.inChannels && info.outChannels === info.inChannels
    && info.dilationHeight === 1 && info.dilationWidth === 1 && info.inChannels % 4 === 0;
}

/** One input channel, no dilation, output channels in fours: the direct kernels beat im2col + GEMM (depth fh·fw only). */
function isDirectOneChannel(info: Conv2DInfo): boolean {
  return info.inChannels === 1 && info.dilationHeight === 1 && info.dilationWidth === 1 && info.outChannels % 4 === 0;
}

/** out += residual, then ReLU when asked, in place: the direct kernels' epilogue takes no residual. */
function addResidual(rt: WasmRuntime, out: number, residual: number, length: number, relu: boolean): void {
  rt.kernels.elementwiseBlock(ElementwiseKind.binaryF32, BinaryCode.add, out, 0, 1, residual, 0, 1, out, 1, length);
  if (relu) rt.kernels.unaryF32(UnaryCode.relu, out, out, length);
}

function patchKey(info: Conv2DInfo): string {
  return [
    info.batch, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.filterHeight, info.filterWidth,
    info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, info.padTop, info.padLeft,
  ].join(',');
}

/**
 * Between x (NHWC) and the patch matrix of one channel group, [batch·outH·outW, fh·fw·channels]:
 * 'gather' fills `patches` (im2col), 'scatterAdd' adds them back into x (col2im; x zeroed by the
 * caller), split by whole images because neighbouring pixels share input taps.
 */
function movePatches(rt: WasmRuntime, direction: 'gather' | 'scatterAdd', x: number, info: Conv2DInfo, channelStart: number, channels: number, patches: number): void {
  const pixels = info.outHeight * info.outWidth;
  const rows = info.batch * pixels;
  const threads = rt.threadsFor(rows * info.filterHeight * info.filterWidth * channels, PARALLEL_MIN_COPY);
  rt.runPatchTasks(splitRange(rows, threads, direction === 'gather' ? 1 : pixels).map(([rowStart, rowEnd]) => ({
    x, inHeight: info.inHeight, inWidth: info.inWidth, inChannels: info.inChannels, outHeight: info.outHeight, outWidth: info.outWidth,
    filterHeight: info.filterHeight, filterWidth: info.filterWidth, strideHeight: info.strideHeight, strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight, dilationWidth: info.dilationWidth, padTop: info.padTop, padLeft: info.padLeft,
    channelStart, channels, patches, rowStart, rowEnd, scatterAdd: direction === 'scatterAdd',
  })));
}

export class Convolutions {
  /** The last forward conv's patch matrix, kept for the filter gradient of the same x (see withPatches). */
  private kept: { readonly x: DataId; readonly key: string; readonly block: TempBlock } | null = null;

  constructor(private readonly rt: WasmRuntime) {}

  /** Bytes held by the kept patch matrix. */
  get keptBytes(): number {
    return this.kept?.block.size ?? 0;
  }

  /** Drops the kept patch matrix when its input is freed. */
  forget(x: DataId): void {
    if (this.kept?.x === x) this.dropKept();
  }

  private dropKept(): void {
    if (this.kept) this.rt.release(this.kept.block);
    this.kept = null;
  }

  /**
   * Runs `body` once per channel group with the patch matrix of x for that group (or x itself for 1×1
   * convs). The forward pass keeps its matrix (`keep`) for the filter gradient, which reads the same
   * patches of the same x: one matrix, replaced by the next forward and dropped when x is freed.
   */
  private withPatches(x: TensorRef, info: Conv2DInfo, keep: boolean, body: (patches: number, patchRow: number, group: number) => void): void {
    const rt = this.rt;
    const groupIn = info.inChannels / info.groups;
    const patchRow = info.filterHeight * info.filterWidth * groupIn;
    if (isPointwise(info) && info.groups === 1) {
      body(rt.ptr(x), info.inChannels, 0);
      return;
    }
    const key = patchKey(info);
    const cached = this.kept;
    if (cached && cached.x === x.id && cached.key === key) {
      body(cached.block.ptr, patchRow, 0);
      if (!keep) this.dropKept();
      return;
    }
    const cols = rt.temp(info.batch * info.outHeight * info.outWidth * patchRow * 4);
    let kept = false;
    try {
      for (let g = 0; g < info.groups; g++) {
        movePatches(rt, 'gather', rt.ptr(x), info, g * groupIn, groupIn, cols.ptr);
        body(cols.ptr, patchRow, g);
      }
      if (keep && info.groups === 1) {
        this.dropKept();
        this.kept = { x: x.id, key, block: cols };
        kept = true;
      }
    } finally {
      if (!kept) rt.release(cols);
    }
  }

  conv2d(x: TensorRef, filter: TensorRef, info: Conv2DInfo, epilogue?: OutputEpilogue): DataId {
    const rt = this.rt;
    rt.requireFloat32('conv2d', x, filter, ...epilogueTensors(epilogue));
    const pixels = info.batch * info.outHeight * info.outWidth;
    const groupOut = info.outChannels / info.groups;
    const out = rt.allocate(pixels * info.outChannels, 'float32');
    const { bias, residual, relu } = epilogueFields(rt, epilogue);
    const direct = isDirectOneChannel(info) ? 'conv1ChannelRows' : isDirectDepthwise(info) ? 'depthwiseConvRows' : null;
    if (direct) {
      const taps = info.filterHeight * info.filterWidth;
      rt.runSplit(direct, splitRange(pixels, rt.threadsFor(pixels * taps * info.outChannels, PARALLEL_MIN_FLOPS), 1)
        .map(([start, end]) => [
          rt.ptr(x), info.inHeight, info.inWidth, info.outHeight, info.outWidth, info.filterHeight, info.filterWidth,
          info.strideHeight, info.strideWidth, info.padTop, info.padLeft, rt.ptr(filter), info.outChannels, out.ptr, start, end,
          bias, relu && !residual,
        ]));
      if (residual) addResidual(rt, out.ptr, residual, out.length, relu);
      return out;
    }
    this.withPatches(x, info, true, (patches, patchRow, g) => {
      gemm(rt, {
        batch: 1, m: pixels, n: groupOut, k: patchRow,
        a: patches, aRow: patchRow, aCol: 1, aBatch: 0,
        b: rt.ptr(filter) + g * groupOut * 4, bRow: info.outChannels, bCol: 1, bBatch: 0,
        c: out.ptr + g * groupOut * 4, ldc: info.outChannels, cBatch: 0,
        bias: bias && bias + g * groupOut * 4, residual: residual && residual + g * groupOut * 4, relu,
      });
    });
    return out;
  }

  conv2dBackpropInput(dy: TensorRef, filter: TensorRef, info: Conv2DInfo): DataId {
    const rt = this.rt;
    rt.requireFloat32('conv2dBackpropInput', dy, filter);
    const pixels = info.batch * info.outHeight * info.outWidth;
    const groupIn = info.inChannels / info.groups;
    const groupOut = info.outChannels / info.groups;
    const patchRow = info.filterHeight * info.filterWidth * groupIn;
    const dx = rt.allocate(info.batch * info.inHeight * info.inWidth * info.inChannels, 'float32');
    const pointwise = isPointwise(info) && info.groups === 1;
    const cols = pointwise ? { ptr: dx.ptr, size: 0 } : rt.temp(pixels * patchRow * 4);
    try {
      if (!pointwise) rt.kernels.fillBytes(dx.ptr, 0, dx.length * 4);
      for (let g = 0; g < info.groups; g++) {
        // dPatches = dy_g · filter_gᵀ, read transposed in place from the HWIO filter.
        gemm(rt, {
          batch: 1, m: pixels, n: patchRow, k: groupOut,
          a: rt.ptr(dy) + g * groupOut * 4, aRow: info.outChannels, aCol: 1, aBatch: 0,
          b: rt.ptr(filter) + g * groupOut * 4, bRow: 1, bCol: info.outChannels, bBatch: 0,
          c: cols.ptr, ldc: patchRow, cBatch: 0,
        });
        if (!pointwise) movePatches(rt, 'scatterAdd', dx.ptr, info, g * groupIn, groupIn, cols.ptr);
      }
    } finally {
      if (!pointwise) rt.release(cols);
    }
    return dx;
  }

  conv2dBackpropFilter(x: TensorRef, dy: TensorRef, info: Conv2DInfo): DataId {
    const rt = this.rt;
    rt.requireFloat32('conv2dBackpropFilter', x, dy);
    const pixels = info.batch * info.outHeight * info.outWidth;
    const groupOut = info.outChannels / info.groups;
    const patchRow = info.filterHeight * info.filterWidth * (info.inChannels / info.groups);
    const dw = rt.allocate(patchRow * info.outChannels, 'float32');
    if (isDirectOneChannel(info)) {
      const blocks = info.outChannels / 4;
      rt.runSplit('conv1ChannelFilterGrad', splitRange(blocks, rt.threadsFor(pixels * patchRow * info.outChannels, PARALLEL_MIN_FLOPS), 1)
        .map(([start, end]) => [
          rt.ptr(x), info.batch, info.inHeight, info.inWidth, info.outHeight, info.outWidth, info.filterHeight, info.filterWidth,
          info.strideHeight, info.strideWidth, info.padTop, info.padLeft, rt.ptr(dy), info.outChannels, dw.ptr, 4 * start, 4 * end,
        ]));
      return dw;
    }
    this.withPatches(x, info, false, (patches, rowStride, g) => {
      // dW_g = patchesᵀ · dy_g: the patch matrix is read transposed in place.
      gemm(rt, {
        batch: 1, m: patchRow, n: groupOut, k: pixels,
        a: patches, aRow: 1, aCol: rowStride, aBatch: 0,
        b: rt.ptr(dy) + g * groupOut * 4, bRow: info.outChannels, bCol: 1, bBatch: 0,
        c: dw.ptr + g * groupOut * 4, ldc: info.outChannels, cBatch: 0,
      });
    });
    return dw;
  }
}
