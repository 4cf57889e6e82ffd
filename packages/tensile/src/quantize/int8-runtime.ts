/**
 * Runs a QuantizedModel on the active backend's int8 kernels (the contract's Int8Kernels, which the
 * WASM backend has), one image at a time on one thread (the latency a single-board device sees).
 * All buffers are laid out once: int16 weight rows padded to a multiple of 8, per-channel
 * requantisation scale and offset, two ping-pong activation buffers, the im2col rows and the float
 * logits. The constructor throws a BackendError when the active backend has no int8 kernels.
 */
import type { Int8Kernels } from '../backend/contract.js';
import { createInt8Kernels } from '../backend/registry.js';
import { ShapeError } from '../errors.js';
import { outputShapeOf, type QuantizedConv, type QuantizedModel } from './quantized-model.js';
import { INT8_MIN, quantizeValue } from './scales.js';

interface ConvStep {
  readonly kind: 'conv';
  readonly layer: QuantizedConv;
  readonly inShape: readonly [number, number, number];
  readonly outShape: readonly [number, number, number];
  readonly inZeroPoint: number;
  readonly depth: number;
  readonly weights: number;
  readonly scale: number;
  readonly offset: number;
  readonly floor: number;
}

interface PoolStep {
  readonly kind: 'maxPool';
  readonly inShape: readonly [number, number, number];
  readonly poolSize: number;
}

interface GlobalAveragePoolStep {
  readonly kind: 'globalAveragePool';
  readonly inShape: readonly [number, number, number];
}

type Step = ConvStep | PoolStep | GlobalAveragePoolStep;

const PAGE = 65536;
const align16 = (n: number): number => Math.ceil(n / 16) * 16;
const roundUp8 = (n: number): number => Math.ceil(n / 8) * 8;

export class Int8Runtime {
  private readonly kernels: Int8Kernels;
  private readonly steps: Step[] = [];
  private readonly buffers: readonly [number, number];
  private readonly cols: number;
  private readonly logits: number;
  /** Values per image in the output (the classes, for a classifier ending in a dense layer). */
  readonly outputSize: number;
  private readonly pixels: number;

  constructor(readonly model: QuantizedModel) {
    this.kernels = createInt8Kernels();
    let top = align16(this.kernels.heapBase());
    const reserve = (bytes: number): number => {
      const at = top;
      top = align16(top + bytes);
      return at;
    };
    let shape = model.inputShape;
    let zeroPoint = model.input.zeroPoint;
    let scale = model.input.scale;
    let largestActivation = shape[0] * shape[1] * shape[2];
    let largestCols = 0;
    const pending: { step: ConvStep; weightsI16: Int16Array; scales: Float32Array; offsets: Float32Array }[] = [];
    for (const layer of model.layers) {
      const outShape = outputShapeOf(layer, shape);
      if (layer.kind === 'conv') {
        if (shape[2] !== layer.inChannels) throw new ShapeError(`int8: layer '${layer.name}' expects ${layer.inChannels} input channels, got ${shape.join('×')}`);
        const depth = roundUp8(layer.kernelHeight * layer.kernelWidth * layer.inChannels);
        const outScale = layer.output?.scale ?? 1;
        const outZeroPoint = layer.output?.zeroPoint ?? 0;
        const weightsI16 = new Int16Array(layer.outChannels * depth);
        const patch = layer.kernelHeight * layer.kernelWidth * layer.inChannels;
        for (let o = 0; o < layer.outChannels; o++) for (let k = 0; k < patch; k++) weightsI16[o * depth + k] = layer.weights[o * patch + k]!;
        const scales = Float32Array.from(layer.weightScales, (s) => (scale * s) / outScale);
        const offsets = Float32Array.from(layer.bias, (b) => b / outScale + outZeroPoint);
        const step: ConvStep = {
          kind: 'conv', layer, inShape: shape, outShape, inZeroPoint: zeroPoint, depth,
          weights: reserve(weightsI16.byteLength), scale: reserve(scales.byteLength), offset: reserve(offsets.byteLength),
          floor: layer.relu ? outZeroPoint : INT8_MIN,
        };
        pending.push({ step, weightsI16, scales, offsets });
        this.steps.push(step);
        largestCols = Math.max(largestCols, outShape[0] * outShape[1] * depth * 2);
        if (layer.output !== null) ({ scale, zeroPoint } = layer.output);
      } else if (layer.kind === 'maxPool') {
        this.steps.push({ kind: 'maxPool', inShape: shape, poolSize: layer.poolSize });
      } else if (layer.kind === 'globalAveragePool') {
        this.steps.push({ kind: 'globalAveragePool', inShape: shape });
      }
      shape = outShape;
      largestActivation = Math.max(largestActivation, shape[0] * shape[1] * shape[2]);
    }
    this.outputSize = shape[0] * shape[1] * shape[2];
    this.pixels = model.inputShape[0] * model.inputShape[1] * model.inputShape[2];
    this.buffers = [reserve(largestActivation), reserve(largestActivation)];
    this.cols = reserve(largestCols);
    this.logits = reserve(this.outputSize * 4);
    const memory = this.kernels.memory;
    const missing = Math.ceil(top / PAGE) - memory.buffer.byteLength / PAGE;
    if (missing > 0) memory.grow(missing);
    for (const { step, weightsI16, scales, offsets } of pending) {
      new Int16Array(memory.buffer, step.weights, weightsI16.length).set(weightsI16);
      new Float32Array(memory.buffer, step.scale, scales.length).set(scales);
      new Float32Array(memory.buffer, step.offset, offsets.length).set(offsets);
    }
  }

  /** Bytes of WebAssembly memory in use (weights, buffers, code data). */
  get memoryBytes(): number {
    return this.kernels.memory.buffer.byteLength;
  }

  /** Outputs [count, outputSize] (logits) for `count` NHWC float images laid out back to back. */
  predictLogits(images: Float32Array, count: number): Float32Array {
    if (images.length !== count * this.pixels) {
      throw new ShapeError(`int8: ${images.length} values are not ${count} images of ${this.model.inputShape.join('×')}`);
    }
    const out = new Float32Array(count * this.outputSize);
    for (let i = 0; i < count; i++) out.set(this.predictOne(images.subarray(i * this.pixels, (i + 1) * this.pixels)), i * this.outputSize);
    return out;
  }

  private predictOne(image: Float32Array): Float32Array {
    const { memory, im2colS8, gemmS16, maxPoolS8, globalAveragePoolS8 } = this.kernels;
    const input = new Int8Array(memory.buffer, this.buffers[0], this.pixels);
    for (let p = 0; p < this.pixels; p++) input[p] = quantizeValue(image[p]!, this.model.input);
    let from = 0;
    for (const step of this.steps) {
      const [h, w, c] = step.inShape;
      const src = this.buffers[from]!;
      const dst = this.buffers[1 - from]!;
      if (step.kind === 'maxPool') {
        maxPoolS8(src, h, w, c, step.poolSize, dst);
      } else if (step.kind === 'globalAveragePool') {
        globalAveragePoolS8(src, h * w, c, dst);
      } else {
        const { layer, outShape, depth } = step;
        const padTop = layer.padding === 'same' ? Math.floor((layer.kernelHeight - 1) / 2) : 0;
        const padLeft = layer.padding === 'same' ? Math.floor((layer.kernelWidth - 1) / 2) : 0;
        im2colS8(src, h, w, c, step.inZeroPoint, layer.kernelHeight, layer.kernelWidth, padTop, padLeft, outShape[0], outShape[1], depth, this.cols);
        const last = layer.output === null;
        gemmS16(this.cols, outShape[0] * outShape[1], depth, step.weights, layer.outChannels, step.scale, step.offset, step.floor, last ? 1 : 0, last ? this.logits : dst);
      }
      from = 1 - from;
    }
    return new Float32Array(memory.buffer, this.logits, this.outputSize).slice();
  }
}
