/**
 * ONNX files as plain objects: the messages of the official schema (onnx.proto, vendored beside this
 * file and compiled to a descriptor by scripts/onnx-schema.mjs) encoded and decoded by protobuf.js.
 * Only the fields Tensile reads or writes are typed here; field names are the schema's in camelCase.
 */
import protobuf from 'protobufjs/light.js';
import { ONNX_SCHEMA } from './onnx-schema.js';

/** TensorProto.DataType values Tensile writes or reads. */
export const ONNX_FLOAT = 1;
export const ONNX_UINT8 = 2;
export const ONNX_INT32 = 6;
export const ONNX_INT64 = 7;
export const ONNX_DOUBLE = 11;

/** AttributeProto.AttributeType values. */
export const ATTRIBUTE = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

/** The IR version of the vendored schema (ONNX 1.12). */
export const ONNX_IR_VERSION = 8;

export interface OnnxTensor {
  name?: string;
  dims?: number[];
  dataType?: number;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: number[];
  doubleData?: number[];
  rawData?: Uint8Array;
  dataLocation?: number;
}

export interface OnnxAttribute {
  name?: string;
  type?: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: OnnxTensor;
  floats?: number[];
  ints?: number[];
}

export interface OnnxNode {
  name?: string;
  opType?: string;
  domain?: string;
  input?: string[];
  output?: string[];
  attribute?: OnnxAttribute[];
}

export interface OnnxDimension {
  dimValue?: number;
  dimParam?: string;
}

export interface OnnxValueInfo {
  name?: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim?: OnnxDimension[] } } };
}

export interface OnnxGraph {
  name?: string;
  node?: OnnxNode[];
  initializer?: OnnxTensor[];
  input?: OnnxValueInfo[];
  output?: OnnxValueInfo[];
}

export interface OnnxModelProto {
  irVersion?: number;
  producerName?: string;
  producerVersion?: string;
  modelVersion?: number;
  docString?: string;
  opsetImport?: { domain?: string; version?: number }[];
  graph?: OnnxGraph;
}

const modelType = protobuf.Root.fromJSON(ONNX_SCHEMA as protobuf.INamespace).lookupType('onnx.ModelProto');

export function encodeModelProto(model: OnnxModelProto): Uint8Array {
  const message = modelType.fromObject(model);
  return modelType.encode(message).finish();
}

/** Decodes a ModelProto (int64 fields as numbers); throws protobuf.js's error on malformed bytes. */
export function decodeModelProto(bytes: Uint8Array): OnnxModelProto {
  const message = modelType.decode(bytes);
  return modelType.toObject(message, { longs: Number, bytes: Uint8Array, defaults: false, arrays: true }) as OnnxModelProto;
}
