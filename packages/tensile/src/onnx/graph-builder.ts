/**
 * The ONNX graph being written: nodes named uniquely, initializers, and tensors moved between Tensile's
 * channels-last layout and ONNX's channels-first one once each (the float export and the int8 export
 * build their graphs with it).
 */
import { permute } from '../ops/permute.js';
import { reshape } from '../ops/reshape.js';
import type { SymbolicShape } from '../nn/symbolic.js';
import type { Tensor } from '../tensor/tensor.js';
import { ATTRIBUTE, ONNX_FLOAT, ONNX_INT64, type OnnxAttribute, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './onnx-proto.js';

const BATCH = 'batch';

export type AttributeValue = number | readonly number[] | string;

/** Where a tensor is in the graph: its ONNX name, its rank and whether it is held channels-first. */
export interface Value {
  readonly name: string;
  readonly rank: number;
  readonly channelsFirst: boolean;
}

export const TO_CHANNELS_FIRST = [0, 3, 1, 2];
export const TO_CHANNELS_LAST = [0, 2, 3, 1];

/** The attributes of the ops written here that the ONNX schemas type as float; every other number is an int. */
const FLOAT_ATTRIBUTES = new Set(['alpha', 'beta', 'epsilon']);

function attribute(name: string, value: AttributeValue): OnnxAttribute {
  if (typeof value === 'string') return { name, type: ATTRIBUTE.STRING, s: new TextEncoder().encode(value) };
  if (typeof value !== 'number') return { name, type: ATTRIBUTE.INTS, ints: [...value] };
  return FLOAT_ATTRIBUTES.has(name) ? { name, type: ATTRIBUTE.FLOAT, f: value } : { name, type: ATTRIBUTE.INT, i: value };
}

export function valueInfo(name: string, shape: SymbolicShape): OnnxValueInfo {
  return { name, type: { tensorType: { elemType: ONNX_FLOAT, shape: { dim: shape.map((d, i) => (d === null ? { dimParam: i === 0 ? BATCH : `${name}_${i}` } : { dimValue: d })) } } } };
}

/** The float32 values of `t` permuted by `perm` (weights change layout with it), then reshaped. */
function floats(t: Tensor, perm?: readonly number[], shape?: readonly number[]): { data: Float32Array; dims: number[] } {
  let moved = perm ? permute(t, perm) : t;
  if (shape) moved = reshape(moved, shape);
  return { data: Float32Array.from(moved.dataSync()), dims: [...moved.shape] };
}

export class GraphBuilder {
  constructor(readonly opset: number) {}

  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  private readonly taken = new Set<string>();
  /** Each tensor's value in the other layout, made once. */
  private readonly relaid = new Map<string, Value>();

  /** `base`, or `base_1`, `base_2` … when taken. */
  unique(base: string): string {
    let name = base;
    for (let i = 1; this.taken.has(name); i++) name = `${base}_${i}`;
    this.taken.add(name);
    return name;
  }

  node(opType: string, name: string, inputs: readonly string[], attributes: Record<string, AttributeValue | undefined> = {}, output = name): string {
    const attribute_ = Object.entries(attributes).flatMap(([key, v]) => (v === undefined ? [] : [attribute(key, v)]));
    this.nodes.push({ opType, name: this.unique(name), input: [...inputs], output: [output], attribute: attribute_ });
    this.taken.add(output);
    return output;
  }

  /** An initializer of `dataType` whose little-endian values are `data`. */
  rawInitializer(name: string, dataType: number, data: ArrayBufferView, dims: readonly number[]): string {
    const unique = this.unique(name);
    this.initializers.push({ name: unique, dims: [...dims], dataType, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    return unique;
  }

  floatInitializer(name: string, data: Float32Array, dims: readonly number[]): string {
    return this.rawInitializer(name, ONNX_FLOAT, data, dims);
  }

  intInitializer(name: string, values: readonly number[]): string {
    const unique = this.unique(name);
    this.initializers.push({ name: unique, dims: [values.length], dataType: ONNX_INT64, int64Data: [...values] });
    return unique;
  }

  weight(name: string, t: Tensor, perm?: readonly number[], shape?: readonly number[]): string {
    const { data, dims } = floats(t, perm, shape);
    return this.floatInitializer(name, data, dims);
  }

  scalar(name: string, value: number): string {
    return this.floatInitializer(name, Float32Array.of(value), []);
  }

  /** `v` held channels-first (rank-4 tensors only). */
  channelsFirst(v: Value): Value {
    if (v.channelsFirst) return v;
    return this.relay(v, true);
  }

  /** `v` in Tensile's layout. */
  channelsLast(v: Value): Value {
    if (!v.channelsFirst) return v;
    return this.relay(v, false);
  }

  private relay(v: Value, channelsFirst: boolean): Value {
    const known = this.relaid.get(v.name);
    if (known) return known;
    const name = this.node('Transpose', `${v.name}_${channelsFirst ? 'nchw' : 'nhwc'}`, [v.name], { perm: channelsFirst ? TO_CHANNELS_FIRST : TO_CHANNELS_LAST });
    const moved = { name, rank: v.rank, channelsFirst };
    this.relaid.set(v.name, moved);
    return moved;
  }
}
