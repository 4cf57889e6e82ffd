/** Tensors to and from safetensors (the format itself: `safetensors-format.ts`). */
import { tensor } from '../ops/creation.js';
import type { DType } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { ModelFileError } from './errors.js';
import { type SafetensorsDType, type SafetensorsReadOptions, type StoredArray, decodeSafetensorArrays, encodeSafetensorArrays } from './safetensors-format.js';
import { checkOptions, optionNames } from '../options.js';

const TO_FORMAT: Record<DType, SafetensorsDType> = { float32: 'F32', float64: 'F64', int32: 'I32', bool: 'BOOL' };

function storedArrayOf(name: string, t: Tensor): StoredArray {
  const dtype = TO_FORMAT[t.dtype];
  if (!dtype) throw new ModelFileError('safetensors', `tensor '${name}' has dtype ${t.dtype}, which the format cannot store`);
  const values = t.dataSync();
  return { dtype, shape: t.shape, values: dtype === 'BOOL' ? Uint8Array.from(values, (v) => (v ? 1 : 0)) : values };
}

export function encodeSafetensors(tensors: Readonly<Record<string, Tensor>>, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  const arrays = Object.fromEntries(Object.entries(tensors).map(([name, t]) => [name, storedArrayOf(name, t)]));
  return encodeSafetensorArrays(arrays, metadata);
}

export interface DecodedSafetensors {
  readonly tensors: Record<string, Tensor>;
  readonly metadata: Record<string, string>;
  /** The raw data section (for checksums). */
  readonly data: Uint8Array;
}

const SAFETENSORS_READ_OPTION_NAMES = optionNames<SafetensorsReadOptions>()('skipChecksum');

/** Parses and validates a safetensors buffer of tensors Tensile can hold; `file` names it in errors. */
export function decodeSafetensors(bytes: Uint8Array, file: string, options: SafetensorsReadOptions = {}): DecodedSafetensors {
  checkOptions('decodeSafetensors', options, SAFETENSORS_READ_OPTION_NAMES);
  const { arrays, metadata, data } = decodeSafetensorArrays(bytes, file, options);
  for (const [name, { dtype, values }] of Object.entries(arrays)) {
    if (values instanceof Int8Array) throw new ModelFileError(file, `tensor '${name}' has dtype ${dtype}, which Tensile tensors cannot hold (an int8 model is read with quantizedModelFromBytes)`);
  }
  const tensors: Record<string, Tensor> = {};
  for (const [name, { dtype, shape, values }] of Object.entries(arrays)) {
    tensors[name] = tensor(values as Exclude<typeof values, Int8Array>, shape, { dtype: dtype === 'BOOL' ? 'bool' : undefined });
  }
  return { tensors, metadata, data };
}
