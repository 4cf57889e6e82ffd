/**
 * Post-training int8 quantisation of a float Sequential: weights per output channel (symmetric),
 * activations per tensor (affine) from the ranges seen on calibration images. Augmentation and
 * dropout layers are identity in inference and are dropped; a BatchNormalization right after a
 * Conv2D/Dense is folded into its weights and bias, and a following ReLU (as the layer's activation
 * or an Activation layer) is fused into the requantisation. Supported: Conv2D (stride 1, 'same' or
 * 'valid'), MaxPool2D (stride = window, 'valid'), GlobalAveragePooling2D, Flatten, Dense.
 */
import {
  Activation, BatchNormalization, Conv2D, Dense, Dropout, Flatten, GlobalAveragePooling2D, MaxPool2D, RandomAffine, RandomBrightness, RandomContrast, RandomErasing, RandomFlip, RandomRotation, RandomTranslation, RandomZoom,
  type Layer, type Sequential,
} from '../nn/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { yieldToEventLoop } from '../backend/yield.js';
import { scope } from '../tensor/lifetime.js';
import { QuantizationError } from './errors.js';
import type { QuantizedLayer, QuantizedModel } from './quantized-model.js';
import { affineParams, quantizePerChannel, type AffineParams } from './scales.js';
import { checkOptions, optionNames } from '../options.js';

const IDENTITY_IN_INFERENCE = [RandomFlip, RandomRotation, RandomZoom, RandomTranslation, RandomAffine, RandomBrightness, RandomContrast, RandomErasing, Dropout];

export interface QuantizeOptions {
  /** Kept in the model file (class names, preprocessing). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Observed [min, max] of one tensor over all calibration batches. */
class RangeObserver {
  min = Infinity;
  max = -Infinity;

  observe(t: Tensor): void {
    const values = t.dataSync() as Float32Array;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v < this.min) this.min = v;
      if (v > this.max) this.max = v;
    }
  }

  params(): AffineParams {
    return affineParams(this.min, this.max);
  }
}

type WeightedLayer = Conv2D | Dense;

/** One int8 step and the float layers it replaces; the last of them gives the calibrated output. */
interface Group {
  readonly layers: Layer[];
  readonly weighted: WeightedLayer | null;
  batchNorm: BatchNormalization | null;
  relu: boolean;
}

function isWeighted(layer: Layer): layer is WeightedLayer {
  return layer instanceof Conv2D || layer instanceof Dense;
}

function isOneOrAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === 1 || (Array.isArray(value) && value.every((v) => v === 1));
}

function activationOf(layer: Layer): string {
  const activation = layer.getConfig()['activation'] ?? 'linear';
  if (activation !== 'relu' && activation !== 'linear') throw new QuantizationError(layer.name, `activation '${String(activation)}' is not supported (relu or none)`);
  return activation;
}

function checkSupported(layer: Layer): void {
  const config = layer.getConfig();
  if (layer instanceof Conv2D) {
    for (const key of ['strides', 'dilationRate', 'groups'] as const) {
      if (!isOneOrAbsent(config[key])) throw new QuantizationError(layer.name, `${key} ${JSON.stringify(config[key])} is not supported (only 1)`);
    }
  }
  if (isWeighted(layer) && layer.kernel === null) throw new QuantizationError(layer.name, 'is not built (run the model once before quantising)');
  if (layer instanceof MaxPool2D) {
    const pool = config['poolSize'] ?? 2;
    if (typeof pool !== 'number' || (config['strides'] ?? pool) !== pool || (config['padding'] ?? 'valid') !== 'valid') {
      throw new QuantizationError(layer.name, `only square windows with stride = window and 'valid' padding are supported, got ${JSON.stringify(config)}`);
    }
  }
}

/** Splits the inference layers into int8 steps: weighted layer [+ batch norm] [+ ReLU], pool, global average pool, flatten. */
function groupLayers(model: Sequential): Group[] {
  const groups: Group[] = [];
  for (const layer of model.layers) {
    if (IDENTITY_IN_INFERENCE.some((kind) => layer instanceof kind)) continue;
    checkSupported(layer);
    const previous = groups[groups.length - 1];
    const open = previous?.weighted !== null && previous !== undefined && !previous.relu ? previous : null;
    if (isWeighted(layer)) {
      groups.push({ layers: [layer], weighted: layer, batchNorm: null, relu: activationOf(layer) === 'relu' });
    } else if (layer instanceof BatchNormalization && open !== null && open.batchNorm === null) {
      open.layers.push(layer);
      open.batchNorm = layer;
    } else if (layer instanceof Activation && open !== null) {
      open.layers.push(layer);
      open.relu = activationOf(layer) === 'relu';
    } else if (layer instanceof MaxPool2D || layer instanceof GlobalAveragePooling2D || layer instanceof Flatten) {
      groups.push({ layers: [layer], weighted: null, batchNorm: null, relu: false });
    } else {
      throw new QuantizationError(layer.name, `${layer.constructor.name} has no int8 implementation here (batch norm and activations must follow a Conv2D/Dense)`);
    }
  }
  const last = groups[groups.length - 1];
  if (last?.weighted === null || last === undefined || last.relu) {
    throw new QuantizationError(last?.layers[0]?.name ?? model.name, 'the last layer must be a Conv2D or Dense without activation (it produces the float logits)');
  }
  return groups;
}

/** Kernel → [out, depth] rows (Conv2D HWIO and Dense [in, out] both end in the output axis) and bias, batch norm folded in. */
function foldedWeights(group: Group): { rows: Float32Array; bias: Float32Array; channels: number; depth: number } {
  const kernel = group.weighted!.kernel!;
  const values = kernel.dataSync() as Float32Array;
  const channels = kernel.shape[kernel.rank - 1]!;
  const depth = values.length / channels;
  const rows = new Float32Array(values.length);
  for (let k = 0; k < depth; k++) for (let o = 0; o < channels; o++) rows[o * depth + k] = values[k * channels + o]!;
  const bias = group.weighted!.bias === null ? new Float32Array(channels) : Float32Array.from(group.weighted!.bias.dataSync() as Float32Array);
  const norm = group.batchNorm;
  if (norm !== null) {
    const epsilon = (norm.getConfig()['epsilon'] as number | undefined) ?? 1e-3;
    const mean = norm.movingMean!.dataSync() as Float32Array;
    const variance = norm.movingVariance!.dataSync() as Float32Array;
    const gamma = norm.gamma?.dataSync() as Float32Array | undefined;
    const beta = norm.beta?.dataSync() as Float32Array | undefined;
    for (let o = 0; o < channels; o++) {
      const factor = (gamma?.[o] ?? 1) / Math.sqrt(variance[o]! + epsilon);
      for (let k = 0; k < depth; k++) rows[o * depth + k]! *= factor;
      bias[o] = (bias[o]! - mean[o]!) * factor + (beta?.[o] ?? 0);
    }
  }
  return { rows, bias, channels, depth };
}

function quantizeGroup(group: Group, output: AffineParams | null): QuantizedLayer {
  const first = group.layers[0]!;
  if (first instanceof MaxPool2D) return { kind: 'maxPool', name: first.name, poolSize: (first.getConfig()['poolSize'] as number | undefined) ?? 2 };
  if (first instanceof GlobalAveragePooling2D) return { kind: 'globalAveragePool', name: first.name };
  if (group.weighted === null) return { kind: 'flatten', name: first.name };
  const { rows, bias, channels, depth } = foldedWeights(group);
  const { values, scales } = quantizePerChannel(rows, channels, depth);
  const conv = group.weighted instanceof Conv2D ? group.weighted : null;
  const [kernelHeight, kernelWidth] = conv ? (conv.kernel!.shape.slice(0, 2) as [number, number]) : [1, 1];
  return {
    kind: 'conv', name: group.weighted.name, kernelHeight, kernelWidth, inChannels: depth / (kernelHeight * kernelWidth), outChannels: channels,
    padding: conv?.getConfig()['padding'] === 'same' ? 'same' : 'valid', weights: values, weightScales: scales, bias, relu: group.relu, output,
  };
}

const QUANTIZE_OPTION_NAMES = optionNames<QuantizeOptions>()('metadata');

/**
 * Quantises `model` using the activation ranges over `calibration` (NHWC float batches, the same
 * preprocessing as training). The model is left in inference mode.
 *
 * ```ts
 * const q = await quantizeModel(model, [calibrationImages]);
 * const logits = new Int8Runtime(q).predictLogits(images, count);
 * ```
 */
export async function quantizeModel(model: Sequential, calibration: Iterable<Tensor> | AsyncIterable<Tensor>, options: QuantizeOptions = {}): Promise<QuantizedModel> {
  checkOptions('quantizeModel', options, QUANTIZE_OPTION_NAMES);
  const groups = groupLayers(model);
  model.train(false);
  const inputRange = new RangeObserver();
  const outputRanges = groups.map(() => new RangeObserver());
  let inputShape: [number, number, number] | null = null;
  for await (const batch of calibration) {
    inputShape ??= batch.shape.slice(1) as [number, number, number];
    inputRange.observe(batch);
    // The activations of a batch are needed only for their ranges: free them before the next one.
    scope(() => {
      let x = batch;
      groups.forEach((group, i) => {
        for (const layer of group.layers) x = layer.apply(x);
        if (group.weighted !== null) outputRanges[i]!.observe(x);
      });
    });
    await yieldToEventLoop();
  }
  if (inputShape === null) throw new QuantizationError(model.name, 'the calibration set is empty');
  const layers = groups.map((group, i) => quantizeGroup(group, i === groups.length - 1 || group.weighted === null ? null : outputRanges[i]!.params()));
  return { name: model.name, inputShape, input: inputRange.params(), layers, metadata: options.metadata ?? {} };
}
