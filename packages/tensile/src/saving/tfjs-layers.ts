/**
 * TensorFlow.js layers models (`model.json` + one weight shard), the format `tf.loadLayersModel` opens
 * and `tensorflowjs_converter` turns into a Keras model: Sequential models of the layers both sides
 * have. Configs map one to one (Keras' snake_case names); weights are `<layer>/kernel`, `<layer>/bias`,
 * `<layer>/gamma` … as Keras names them, in Tensile's (Keras') layouts. Augmentation layers act only in
 * training and are left out on write.
 */
import { ValueError } from '../errors.js';
import type { ActivationName } from '../ops/activations.js';
import { Conv2D } from '../nn/layers/convolution.js';
import { Dense } from '../nn/layers/dense.js';
import { Dropout } from '../nn/layers/dropout.js';
import { Activation } from '../nn/layers/elementwise.js';
import { BatchNormalization } from '../nn/layers/normalization.js';
import { AvgPool2D, GlobalAveragePooling2D, GlobalMaxPooling2D, MaxPool2D } from '../nn/layers/pooling.js';
import { Flatten, Reshape } from '../nn/layers/reshaping.js';
import { RandomAffine, RandomFlip, RandomRotation, RandomTranslation, RandomZoom } from '../nn/layers/augmentation.js';
import { RandomBrightness, RandomContrast } from '../nn/layers/color-augmentation.js';
import { RandomErasing } from '../nn/layers/random-erasing.js';
import type { Layer } from '../nn/layer.js';
import type { Model } from '../nn/model.js';
import { Sequential } from '../nn/sequential.js';
import type { SymbolicTensor } from '../nn/symbolic.js';
import type { Tensor } from '../tensor/tensor.js';
import { ModelFileError } from './errors.js';
import { decodeTfjsWeights } from './tfjs-weights.js';

/** The shard `encodeTfjsLayersModel` names in its manifest. */
export const TFJS_SHARD = 'group1-shard1of1.bin';

type KerasConfig = Record<string, unknown>;

interface KerasLayer {
  readonly class_name: string;
  readonly config: KerasConfig;
}

/** The parts of a TF.js `model.json` this module writes and reads. */
export interface TfjsLayersModelJson {
  readonly format: 'layers-model';
  readonly generatedBy: string;
  readonly convertedBy: null;
  readonly modelTopology: { readonly class_name: 'Sequential'; readonly config: { readonly name: string; readonly layers: readonly KerasLayer[] }; readonly keras_version: string; readonly backend: string };
  readonly weightsManifest: readonly { readonly paths: readonly string[]; readonly weights: readonly { readonly name: string; readonly shape: readonly number[]; readonly dtype: 'float32' }[] }[];
}

const TRAINING_ONLY = [RandomFlip, RandomRotation, RandomZoom, RandomTranslation, RandomAffine, RandomBrightness, RandomContrast, RandomErasing];

/** Activations both sides define the same way (Tensile name → Keras name). */
const ACTIVATIONS: Partial<Record<ActivationName, string>> = {
  linear: 'linear', relu: 'relu', relu6: 'relu6', elu: 'elu', selu: 'selu', sigmoid: 'sigmoid', tanh: 'tanh', softmax: 'softmax',
  softplus: 'softplus', softsign: 'softsign', swish: 'swish', silu: 'swish', mish: 'mish',
};
const FROM_KERAS = new Map(Object.entries(ACTIVATIONS).filter(([tensile]) => tensile !== 'silu').map(([tensile, keras]) => [keras, tensile as ActivationName]));

const pair = (v: unknown, fallback: number): [number, number] => (v === undefined ? [fallback, fallback] : typeof v === 'number' ? [v, v] : [(v as number[])[0]!, (v as number[])[1]!]);

function kerasActivation(layer: Layer, name: unknown): string {
  const keras = ACTIVATIONS[(name ?? 'linear') as ActivationName];
  if (!keras) throw new ValueError(`tfjs export: layer '${layer.name}' uses activation '${String(name)}', which TF.js defines differently or not at all`);
  return keras;
}

/** The Keras class, config and weights of one Tensile layer. */
function toKeras(layer: Layer): { layer: KerasLayer; weights: [string, Tensor][] } {
  const c = layer.getConfig();
  const name = layer.name;
  const w = (...pairs: [string, Tensor | null][]): [string, Tensor][] => pairs.flatMap(([n, t]) => (t ? [[`${name}/${n}`, t] as [string, Tensor]] : []));
  if (layer instanceof Dense) {
    return { layer: { class_name: 'Dense', config: { name, units: c.units, activation: kerasActivation(layer, c.activation), use_bias: c.useBias ?? true } }, weights: w(['kernel', layer.kernel], ['bias', layer.bias]) };
  }
  if (layer instanceof Conv2D) {
    if ((c.groups ?? 1) !== 1) throw new ValueError(`tfjs export: layer '${name}' is a grouped convolution, which TF.js layers do not have`);
    const config = { name, filters: c.filters, kernel_size: pair(c.kernelSize, 1), strides: pair(c.strides, 1), padding: c.padding ?? 'valid', dilation_rate: pair(c.dilationRate, 1), activation: kerasActivation(layer, c.activation), use_bias: c.useBias ?? true, data_format: 'channels_last' };
    return { layer: { class_name: 'Conv2D', config }, weights: w(['kernel', layer.kernel], ['bias', layer.bias]) };
  }
  if (layer instanceof MaxPool2D || layer instanceof AvgPool2D) {
    const poolSize = pair(c.poolSize, 2);
    const config = { name, pool_size: poolSize, strides: c.strides === undefined ? poolSize : pair(c.strides, 1), padding: c.padding ?? 'valid', data_format: 'channels_last' };
    return { layer: { class_name: layer instanceof MaxPool2D ? 'MaxPooling2D' : 'AveragePooling2D', config }, weights: [] };
  }
  if (layer instanceof GlobalAveragePooling2D || layer instanceof GlobalMaxPooling2D) {
    if (c.keepDims) throw new ValueError(`tfjs export: layer '${name}' keeps its pooled axes, which TF.js layers do not`);
    return { layer: { class_name: layer instanceof GlobalAveragePooling2D ? 'GlobalAveragePooling2D' : 'GlobalMaxPooling2D', config: { name, data_format: 'channels_last' } }, weights: [] };
  }
  if (layer instanceof BatchNormalization) {
    const config = { name, axis: -1, momentum: c.momentum ?? 0.99, epsilon: c.epsilon ?? 1e-3, center: c.center ?? true, scale: c.scale ?? true };
    return { layer: { class_name: 'BatchNormalization', config }, weights: w(['gamma', layer.gamma], ['beta', layer.beta], ['moving_mean', layer.movingMean], ['moving_variance', layer.movingVariance]) };
  }
  if (layer instanceof Flatten) return { layer: { class_name: 'Flatten', config: { name } }, weights: [] };
  if (layer instanceof Reshape) return { layer: { class_name: 'Reshape', config: { name, target_shape: c.targetShape } }, weights: [] };
  if (layer instanceof Dropout) return { layer: { class_name: 'Dropout', config: { name, rate: c.rate } }, weights: [] };
  if (layer instanceof Activation) return { layer: { class_name: 'Activation', config: { name, activation: kerasActivation(layer, c.activation) } }, weights: [] };
  throw new ValueError(`tfjs export: layer '${name}' (${layer.constructor.name}) has no TF.js layers counterpart`);
}

/**
 * A Sequential model as a TF.js layers model: the `model.json` object and the bytes of its one shard
 * (`TFJS_SHARD`). Other model kinds and layers TF.js lacks are refused by name.
 */
export function encodeTfjsLayersModel(model: Model<SymbolicTensor | readonly SymbolicTensor[]>): { modelJson: TfjsLayersModelJson; weights: Uint8Array } {
  if (!(model instanceof Sequential)) throw new ValueError(`tfjs export: model '${model.name}' is not Sequential; TF.js layers export handles Sequential models`);
  const sampleShape = model.sampleShape;
  if (!sampleShape) throw new ValueError(`tfjs export: model '${model.name}' is not built yet: give it an input shape`);
  const kept = model.layers.filter((layer) => !TRAINING_ONLY.some((cls) => layer instanceof cls)).map(toKeras);
  const layers = kept.map(({ layer }, i) => (i === 0 ? { ...layer, config: { ...layer.config, batch_input_shape: [null, ...sampleShape] } } : layer));
  const tensors = kept.flatMap(({ weights }) => weights);
  const chunks = tensors.map(([, t]) => Float32Array.from(t.dataSync()));
  const weights = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const c of chunks) {
    weights.set(new Uint8Array(c.buffer), offset);
    offset += c.byteLength;
  }
  return {
    modelJson: {
      format: 'layers-model',
      generatedBy: 'tensile',
      convertedBy: null,
      modelTopology: { class_name: 'Sequential', config: { name: model.name, layers }, keras_version: 'tfjs-layers 4.22.0', backend: 'tensor_flow.js' },
      weightsManifest: [{ paths: [TFJS_SHARD], weights: tensors.map(([name, t]) => ({ name, shape: [...t.shape], dtype: 'float32' as const })) }],
    },
    weights,
  };
}

/** The Tensile layer of one Keras layer, its weights (property → Keras name) and, for BatchNormalization, the axis. */
function fromKeras(spec: KerasLayer, file: string): { layer: Layer; weights: Record<string, string>; axis?: number } {
  const c = spec.config;
  const name = String(c.name);
  const activation = (): ActivationName => {
    const a = FROM_KERAS.get(String(c.activation ?? 'linear'));
    if (!a) throw new ModelFileError(file, `layer '${name}' uses activation '${String(c.activation)}', which Tensile does not read`);
    return a;
  };
  const kernelArgs = (): { activation: ActivationName; useBias: boolean } => ({ activation: activation(), useBias: c.use_bias !== false });
  const requireChannelsLast = (): void => {
    if (c.data_format !== undefined && c.data_format !== 'channels_last') throw new ModelFileError(file, `layer '${name}' is ${String(c.data_format)}; Tensile reads channels_last layers`);
  };
  switch (spec.class_name) {
    case 'Dense': return { layer: new Dense({ name, units: Number(c.units), ...kernelArgs() }), weights: { kernel: 'kernel', bias: 'bias' } };
    case 'Conv2D':
      requireChannelsLast();
      return {
        layer: new Conv2D({ name, filters: Number(c.filters), kernelSize: pair(c.kernel_size, 1), strides: pair(c.strides, 1), padding: c.padding === 'same' ? 'same' : 'valid', dilationRate: pair(c.dilation_rate, 1), ...kernelArgs() }),
        weights: { kernel: 'kernel', bias: 'bias' },
      };
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      requireChannelsLast();
      const args = { name, poolSize: pair(c.pool_size, 2), strides: c.strides === null || c.strides === undefined ? pair(c.pool_size, 2) : pair(c.strides, 1), padding: c.padding === 'same' ? 'same' as const : 'valid' as const };
      return { layer: spec.class_name === 'MaxPooling2D' ? new MaxPool2D(args) : new AvgPool2D(args), weights: {} };
    }
    case 'GlobalAveragePooling2D': requireChannelsLast(); return { layer: new GlobalAveragePooling2D({ name }), weights: {} };
    case 'GlobalMaxPooling2D': requireChannelsLast(); return { layer: new GlobalMaxPooling2D({ name }), weights: {} };
    case 'BatchNormalization': {
      const axis = Array.isArray(c.axis) && c.axis.length === 1 ? (c.axis as unknown[])[0] : (c.axis ?? -1);
      if (typeof axis !== 'number') throw new ModelFileError(file, `layer '${name}' normalises over axes ${JSON.stringify(c.axis)}; Tensile normalises the last axis`);
      const layer = new BatchNormalization({ name, momentum: Number(c.momentum ?? 0.99), epsilon: Number(c.epsilon ?? 1e-3), center: c.center !== false, scale: c.scale !== false });
      return { layer, weights: { gamma: 'gamma', beta: 'beta', movingMean: 'moving_mean', movingVariance: 'moving_variance' }, axis };
    }
    case 'Flatten': return { layer: new Flatten({ name }), weights: {} };
    case 'Reshape': return { layer: new Reshape({ name, targetShape: c.target_shape as number[] }), weights: {} };
    case 'Dropout': return { layer: new Dropout({ name, rate: Number(c.rate) }), weights: {} };
    case 'Activation': return { layer: new Activation({ name, activation: activation() }), weights: {} };
    default: throw new ModelFileError(file, `layer '${name}' is a ${spec.class_name}, which Tensile does not read from TF.js`);
  }
}

/**
 * The Sequential model of a TF.js layers `model.json` (parsed) and its shards by path; `file` names
 * the model.json in errors. Weights missing, extra or of another shape are refused naming the tensor.
 */
export function decodeTfjsLayersModel(modelJson: unknown, shards: Readonly<Record<string, Uint8Array>>, file: string): Sequential {
  const topology = (modelJson as { modelTopology?: { class_name?: string; model_config?: KerasLayer; config?: { name?: string; layers?: KerasLayer[] } } } | null)?.modelTopology;
  const root = topology?.model_config ?? topology;
  if (!root || root.class_name !== 'Sequential' || !Array.isArray(root.config?.layers)) {
    throw new ModelFileError(file, `is not a TF.js layers model of a Sequential network (modelTopology.class_name ${JSON.stringify(root?.class_name)})`);
  }
  const specs = root.config.layers.filter((l) => l.class_name !== 'InputLayer');
  const inputSpec = root.config.layers.find((l) => l.class_name === 'InputLayer')?.config ?? specs[0]?.config;
  const batchShape = (inputSpec?.batch_input_shape ?? inputSpec?.batch_shape) as (number | null)[] | undefined;
  if (!batchShape) throw new ModelFileError(file, 'gives no batch_input_shape for its first layer');
  const parts = specs.map((spec) => fromKeras(spec, file));
  const model = new Sequential(parts.map((p) => p.layer), { name: String(root.config.name ?? 'sequential'), inputShape: batchShape.slice(1) });
  const tensors = decodeTfjsWeights(modelJson, shards, file);
  const used = new Set<string>();
  for (const { layer, weights, axis } of parts) {
    // Keras writes the resolved axis (3 for NHWC); Tensile normalises the last one.
    const rank = (layer.builtShape as readonly unknown[] | null)?.length ?? 0;
    if (axis !== undefined && axis !== -1 && axis !== rank - 1) throw new ModelFileError(file, `layer '${layer.name}' normalises axis ${axis} of rank-${rank} input; Tensile normalises the last axis`);
    for (const [property, keras] of Object.entries(weights)) {
      const target = (layer as unknown as Record<string, Tensor | null>)[property];
      if (!target) continue;
      const key = `${layer.name}/${keras}`;
      const t = tensors[key];
      if (!t) throw new ModelFileError(file, `has no weight '${key}' for layer '${layer.name}'`);
      if (t.shape.join() !== target.shape.join()) throw new ModelFileError(file, `weight '${key}' has shape [${t.shape.join(', ')}], layer '${layer.name}' needs [${target.shape.join(', ')}]`);
      target.assign(t);
      used.add(key);
    }
  }
  const extra = Object.keys(tensors).filter((k) => !used.has(k));
  if (extra.length > 0) throw new ModelFileError(file, `holds weights no layer takes: ${extra.join(', ')}`);
  return model;
}
