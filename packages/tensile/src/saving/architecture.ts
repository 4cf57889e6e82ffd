/**
 * Model architecture as versioned JSON: every layer as `{className, config}`; Sequential as its list
 * of layers, functional models as their nodes in execution order. Custom layers are saved and
 * loaded once registered with `registerLayer`.
 */
import { BaseLayer, type Json, type LayerConfig, MergeLayer } from '../nn/layer.js';
import { Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D } from '../nn/layers/convolution.js';
import { Dense } from '../nn/layers/dense.js';
import { Dropout, SpatialDropout } from '../nn/layers/dropout.js';
import { Activation, Rescaling } from '../nn/layers/elementwise.js';
import { Embedding } from '../nn/layers/embedding.js';
import { InputLayer } from '../nn/layers/input.js';
import { Add, Concatenate, Multiply } from '../nn/layers/merge.js';
import { BatchNormalization, LayerNormalization, UnitNormalization } from '../nn/layers/normalization.js';
import { AvgPool2D, GlobalAveragePooling2D, GlobalMaxPooling2D, MaxPool2D } from '../nn/layers/pooling.js';
import { GRU, LSTM } from '../nn/layers/recurrent.js';
import { Flatten, Reshape, UpSampling2D, ZeroPadding2D } from '../nn/layers/reshaping.js';
import { RandomAffine, RandomFlip, RandomRotation, RandomTranslation, RandomZoom } from '../nn/layers/augmentation.js';
import { RandomBrightness, RandomContrast } from '../nn/layers/color-augmentation.js';
import { RandomErasing } from '../nn/layers/random-erasing.js';
import { type AnyLayer, Model } from '../nn/model.js';
import { Sequential } from '../nn/sequential.js';
import type { SymbolicTensor } from '../nn/symbolic.js';
import type { Tensor } from '../tensor/tensor.js';
import { ValueError } from '../errors.js';

/** Bumped when the layout changes incompatibly; readers refuse newer versions. */
export const ARCHITECTURE_VERSION = 1;
export const ARCHITECTURE_FORMAT = 'tensile.model';

type LayerClass = new (config: LayerConfig) => AnyLayer;

const registry = new Map<string, LayerClass>();

/** Makes a custom layer class saveable and loadable under `className`. */
export function registerLayer(className: string, cls: abstract new (config: never) => BaseLayer<Tensor | readonly Tensor[]>): void {
  registry.set(className, cls as unknown as LayerClass);
}

const BUILT_IN = {
  Dense, Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D, MaxPool2D, AvgPool2D, GlobalAveragePooling2D, GlobalMaxPooling2D,
  BatchNormalization, LayerNormalization, UnitNormalization, Dropout, SpatialDropout, Flatten, Reshape, Embedding, Activation, ZeroPadding2D, UpSampling2D,
  Concatenate, Add, Multiply, LSTM, GRU, Rescaling, RandomFlip, RandomRotation, RandomZoom, RandomTranslation, RandomAffine, RandomBrightness, RandomContrast, RandomErasing, InputLayer,
};
for (const [name, cls] of Object.entries(BUILT_IN)) registerLayer(name, cls);

export interface LayerSpec {
  readonly className: string;
  readonly config: LayerConfig;
}

/** The registered class name of a layer (a subclass like Linear saves as its registered parent, Dense). */
export function layerClassName(layer: AnyLayer): string {
  for (let proto: object | null = Object.getPrototypeOf(layer); proto; proto = Object.getPrototypeOf(proto)) {
    for (const [name, cls] of registry) if (cls.prototype === proto) return name;
  }
  throw new ValueError(`layer '${layer.name}' (${layer.constructor.name}) is not a registered layer class; call registerLayer('${layer.constructor.name}', ${layer.constructor.name}) to save it`);
}

export function serializeLayer(layer: AnyLayer): LayerSpec {
  return { className: layerClassName(layer), config: layer.getConfig() };
}

export function deserializeLayer(spec: LayerSpec): AnyLayer {
  const cls = registry.get(spec.className);
  if (!cls) throw new ValueError(`unknown layer class '${spec.className}' (registered: ${[...registry.keys()].join(', ')})`);
  return new cls(spec.config);
}

export interface SequentialConfig {
  readonly name: string;
  readonly inputShape: readonly (number | null)[] | null;
  readonly layers: readonly LayerSpec[];
}

export interface FunctionalConfig {
  readonly name: string;
  readonly layers: readonly LayerSpec[];
  /** Execution order: the layer applied and the indices of the nodes feeding it. */
  readonly nodes: readonly { readonly layer: string; readonly inputs: readonly number[] }[];
  readonly inputs: readonly number[];
  readonly outputs: readonly number[];
  readonly singleOutput: boolean;
}

export type ArchitectureConfig =
  | { readonly format: string; readonly version: number; readonly className: 'Sequential'; readonly config: SequentialConfig }
  | { readonly format: string; readonly version: number; readonly className: 'Model'; readonly config: FunctionalConfig };

type AnyModel = Model<SymbolicTensor | readonly SymbolicTensor[]>;

export function modelToConfig(model: AnyModel): ArchitectureConfig {
  const header = { format: ARCHITECTURE_FORMAT, version: ARCHITECTURE_VERSION };
  if (model instanceof Sequential) {
    return { ...header, className: 'Sequential', config: { name: model.name, inputShape: model.sampleShape, layers: model.layers.map(serializeLayer) } };
  }
  const nodes = model.graphNodes;
  const indexOf = new Map(nodes.map((n, i) => [n.output, i]));
  return {
    ...header,
    className: 'Model',
    config: {
      name: model.name,
      layers: model.layers.map(serializeLayer),
      nodes: nodes.map((n) => ({ layer: n.layer.name, inputs: n.inputs.map((t) => indexOf.get(t)!) })),
      inputs: model.inputs.map((t) => indexOf.get(t)!),
      outputs: model.outputs.map((t) => indexOf.get(t)!),
      singleOutput: model.hasSingleOutput,
    },
  };
}

/** Rebuilds a model (with fresh weights) from its architecture config. */
export function modelFromConfig(config: ArchitectureConfig): AnyModel {
  if (config.format !== ARCHITECTURE_FORMAT) throw new ValueError(`not a Tensile model config (format '${String(config.format)}')`);
  if (!(config.version >= 1 && config.version <= ARCHITECTURE_VERSION)) {
    throw new ValueError(`model config version ${config.version} is not supported by this Tensile (reads up to ${ARCHITECTURE_VERSION})`);
  }
  if (config.className === 'Sequential') {
    const c = config.config;
    const model = new Sequential(c.layers.map((spec) => deserializeLayer(spec) as never), { name: c.name, ...(c.inputShape && { inputShape: c.inputShape }) });
    return model;
  }
  const c = config.config;
  const layers = new Map(c.layers.map((spec) => [spec.config.name, deserializeLayer(spec)]));
  const outputs: SymbolicTensor[] = [];
  for (const node of c.nodes) {
    const layer = layers.get(node.layer);
    if (!layer) throw new ValueError(`model config: node refers to unknown layer '${node.layer}'`);
    const inputs = node.inputs.map((i) => outputs[i] ?? failNode(i));
    if (layer instanceof InputLayer) outputs.push(layer.output);
    else if (layer instanceof MergeLayer) outputs.push(layer.apply(inputs));
    else outputs.push((layer as BaseLayer<Tensor>).apply(inputs[0]!));
  }
  const pick = (i: number): SymbolicTensor => outputs[i] ?? failNode(i);
  const modelOutputs = c.singleOutput ? pick(c.outputs[0]!) : c.outputs.map(pick);
  return new Model({ name: c.name, inputs: c.inputs.map(pick), outputs: modelOutputs });
}

function failNode(i: number): never {
  throw new ValueError(`model config: node ${i} is used before it is defined`);
}

/** Config values are JSON; this narrows parsed JSON for the checks above. */
export function asArchitecture(value: Json): ArchitectureConfig {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ValueError('model config is not a JSON object');
  return value as unknown as ArchitectureConfig;
}
