/**
 * The int8 model file: safetensors (written and read by saving/safetensors-format.ts) with I8
 * weights and F32 per-channel scales and biases, readable by the Python `safetensors` package.
 * The network description is JSON under the `tensile.quantized` metadata key.
 */
import { ModelFileError } from '../saving/errors.js';
import { type StoredArray, decodeSafetensorArrays, encodeSafetensorArrays, peekSafetensorsMetadata } from '../saving/safetensors-format.js';
import type { QuantizedConv, QuantizedLayer, QuantizedModel } from './quantized-model.js';

const MODEL_KEY = 'tensile.quantized';
const FORMAT_VERSION = 1;

type LayerDescription = Omit<QuantizedConv, 'weights' | 'weightScales' | 'bias'> | Exclude<QuantizedLayer, QuantizedConv>;

interface ModelDescription extends Omit<QuantizedModel, 'layers'> {
  readonly version: number;
  readonly layers: readonly LayerDescription[];
}

function arraysOf(layer: QuantizedConv): Record<string, StoredArray> {
  const depth = layer.weights.length / layer.outChannels;
  return {
    [`${layer.name}.weights`]: { dtype: 'I8', shape: [layer.outChannels, depth], values: layer.weights },
    [`${layer.name}.weight_scales`]: { dtype: 'F32', shape: [layer.outChannels], values: layer.weightScales },
    [`${layer.name}.bias`]: { dtype: 'F32', shape: [layer.outChannels], values: layer.bias },
  };
}

export function quantizedModelToBytes(model: QuantizedModel): Uint8Array {
  let arrays: Record<string, StoredArray> = {};
  const layers = model.layers.map((layer): LayerDescription => {
    if (layer.kind !== 'conv') return layer;
    arrays = { ...arrays, ...arraysOf(layer) };
    const { weights: _w, weightScales: _s, bias: _b, ...description } = layer;
    return description;
  });
  const description: ModelDescription = { version: FORMAT_VERSION, name: model.name, inputShape: model.inputShape, input: model.input, layers, metadata: model.metadata };
  return encodeSafetensorArrays(arrays, { [MODEL_KEY]: JSON.stringify(description) });
}

/** Whether `bytes` is an int8 model file: its safetensors header names the int8 description (reads the header only). */
export function isQuantizedModelFile(bytes: Uint8Array): boolean {
  return peekSafetensorsMetadata(bytes)?.[MODEL_KEY] !== undefined;
}

/** Parses an int8 model file; `file` names it in errors (truncated, corrupt, or not an int8 model). */
export function quantizedModelFromBytes(bytes: Uint8Array, file: string): QuantizedModel {
  const fail = (problem: string): never => {
    throw new ModelFileError(file, problem);
  };
  const { arrays, metadata } = decodeSafetensorArrays(bytes, file);
  const text = metadata[MODEL_KEY];
  if (text === undefined) fail(`has no '${MODEL_KEY}' metadata: not an int8 model (a float model is loaded with loadModel)`);
  const description = JSON.parse(text!) as ModelDescription;
  if (description.version !== FORMAT_VERSION) fail(`int8 model format version ${description.version}, this Tensile reads ${FORMAT_VERSION}`);
  const read = <T extends Int8Array | Float32Array>(name: string, type: new (length: number) => T, length: number): T => {
    const array = arrays[name];
    if (array === undefined) return fail(`tensor '${name}' is missing`);
    if (!(array.values instanceof type) || array.values.length !== length) fail(`tensor '${name}' should be ${length} ${type.name} values, found ${array.values.length} ${array.dtype}`);
    return array.values as T;
  };
  const layers = description.layers.map((layer): QuantizedLayer => {
    if (layer.kind !== 'conv') return layer;
    const depth = layer.kernelHeight * layer.kernelWidth * layer.inChannels;
    return {
      ...layer,
      weights: read(`${layer.name}.weights`, Int8Array, layer.outChannels * depth),
      weightScales: read(`${layer.name}.weight_scales`, Float32Array, layer.outChannels),
      bias: read(`${layer.name}.bias`, Float32Array, layer.outChannels),
    };
  });
  return { name: description.name, inputShape: description.inputShape, input: description.input, layers, metadata: description.metadata };
}
