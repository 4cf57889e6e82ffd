/**
 * The int8 model file: safetensors layout (8-byte header length, JSON header, raw little-endian
 * data) with I8 weights and F32 per-channel scales and biases, readable by the Python `safetensors`
 * package. The network description is JSON under the `tensile.quantized` metadata key and the data
 * section's CRC-32 under `tensile.crc32`. Written here rather than with saving/safetensors.ts, which
 * stores Tensors and has no int8 dtype.
 */
import { crc32 } from '../saving/crc32.js';
import { ModelFileError } from '../saving/errors.js';
import type { QuantizedConv, QuantizedLayer, QuantizedModel } from './quantized-model.js';

const MODEL_KEY = 'tensile.quantized';
const CHECKSUM_KEY = 'tensile.crc32';
const FORMAT_VERSION = 1;

type RawArray = Int8Array | Float32Array;

interface Entry {
  readonly dtype: 'I8' | 'F32';
  readonly shape: readonly number[];
  readonly data_offsets: readonly [number, number];
}

type LayerDescription = Omit<QuantizedConv, 'weights' | 'weightScales' | 'bias'> | Exclude<QuantizedLayer, QuantizedConv>;

interface ModelDescription extends Omit<QuantizedModel, 'layers'> {
  readonly version: number;
  readonly layers: readonly LayerDescription[];
}

function arraysOf(layer: QuantizedConv): Record<string, [RawArray, number[]]> {
  const depth = layer.weights.length / layer.outChannels;
  return {
    [`${layer.name}.weights`]: [layer.weights, [layer.outChannels, depth]],
    [`${layer.name}.weight_scales`]: [layer.weightScales, [layer.outChannels]],
    [`${layer.name}.bias`]: [layer.bias, [layer.outChannels]],
  };
}

export function quantizedModelToBytes(model: QuantizedModel): Uint8Array {
  const header: Record<string, Entry> = {};
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const layers = model.layers.map((layer): LayerDescription => {
    if (layer.kind !== 'conv') return layer;
    for (const [name, [values, shape]] of Object.entries(arraysOf(layer))) {
      const bytes = new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
      header[name] = { dtype: values instanceof Int8Array ? 'I8' : 'F32', shape, data_offsets: [offset, offset + bytes.length] };
      chunks.push(bytes);
      offset += bytes.length;
      // F32 data must start 4-byte aligned for readers that map it; I8 blocks can leave it odd.
      const pad = (4 - (offset % 4)) % 4;
      if (pad > 0) {
        chunks.push(new Uint8Array(pad));
        offset += pad;
      }
    }
    const { weights: _w, weightScales: _s, bias: _b, ...description } = layer;
    return description;
  });
  const data = new Uint8Array(offset);
  let at = 0;
  for (const chunk of chunks) {
    data.set(chunk, at);
    at += chunk.length;
  }
  const description: ModelDescription = { version: FORMAT_VERSION, name: model.name, inputShape: model.inputShape, input: model.input, layers, metadata: model.metadata };
  let json = JSON.stringify({ __metadata__: { [MODEL_KEY]: JSON.stringify(description), [CHECKSUM_KEY]: String(crc32(data)) }, ...header });
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  out.set(data, 8 + headerBytes.length);
  return out;
}

/** Whether `bytes` is an int8 model file: its safetensors header names the int8 description (reads the header only). */
export function isQuantizedModelFile(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  return new TextDecoder().decode(bytes.subarray(8, 8 + Math.min(headerLength, bytes.length - 8))).includes(`"${MODEL_KEY}"`);
}

/** Parses an int8 model file; `file` names it in errors (truncated, corrupt, or not an int8 model). */
export function quantizedModelFromBytes(bytes: Uint8Array, file: string): QuantizedModel {
  const fail = (problem: string): never => {
    throw new ModelFileError(file, problem);
  };
  if (bytes.length < 8) fail(`only ${bytes.length} bytes: truncated, or not an int8 model file`);
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (headerLength > bytes.length - 8) fail(`header length ${headerLength} exceeds the ${bytes.length - 8} bytes after it: truncated, or not an int8 model file`);
  let header: Record<string, unknown> = {};
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength))) as Record<string, unknown>;
  } catch (cause) {
    fail(`the header is not valid JSON (${(cause as Error).message})`);
  }
  const metadata = (header['__metadata__'] ?? {}) as Record<string, string>;
  const text = metadata[MODEL_KEY];
  if (text === undefined) fail(`has no '${MODEL_KEY}' metadata: not an int8 model (a float model is loaded with loadModel)`);
  const description = JSON.parse(text!) as ModelDescription;
  if (description.version !== FORMAT_VERSION) fail(`int8 model format version ${description.version}, this Tensile reads ${FORMAT_VERSION}`);
  const data = bytes.subarray(8 + headerLength);
  if (metadata[CHECKSUM_KEY] !== undefined && String(crc32(data)) !== metadata[CHECKSUM_KEY]) fail('the data section fails its CRC-32 check: the file is corrupt');
  const read = (name: string, dtype: Entry['dtype'], length: number): RawArray => {
    const entry = header[name] as Entry | undefined;
    if (entry === undefined) return fail(`tensor '${name}' is missing`);
    const [begin, end] = entry.data_offsets;
    const item = dtype === 'I8' ? 1 : 4;
    if (entry.dtype !== dtype || end - begin !== length * item || end > data.length) fail(`tensor '${name}' should be ${length} ${dtype} values, found ${entry.dtype} bytes [${begin}, ${end})`);
    // A copy with its own buffer: Buffer.slice (a Node Buffer from readFileSync) would share the file's pool.
    const copy = new Uint8Array(data.subarray(begin, end));
    return dtype === 'I8' ? new Int8Array(copy.buffer) : new Float32Array(copy.buffer);
  };
  const layers = description.layers.map((layer): QuantizedLayer => {
    if (layer.kind !== 'conv') return layer;
    const depth = layer.kernelHeight * layer.kernelWidth * layer.inChannels;
    return {
      ...layer,
      weights: read(`${layer.name}.weights`, 'I8', layer.outChannels * depth) as Int8Array,
      weightScales: read(`${layer.name}.weight_scales`, 'F32', layer.outChannels) as Float32Array,
      bias: read(`${layer.name}.bias`, 'F32', layer.outChannels) as Float32Array,
    };
  });
  return { name: description.name, inputShape: description.inputShape, input: description.input, layers, metadata: description.metadata };
}
