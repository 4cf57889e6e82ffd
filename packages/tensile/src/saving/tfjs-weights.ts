/**
 * TensorFlow.js weight manifests: the way to bring weights trained in TF.js (or converted to it) into
 * Tensile. A manifest (`*-weights_manifest.json`, or the `weightsManifest` of a `model.json`) lists groups;
 * each group's tensors are stored back to back in the concatenation of its binary shards, as float32,
 * int32 or bool, or quantised: uint8/uint16 with an affine `scale`/`min`, or float16. Values are decoded
 * exactly as TF.js decodes them (`q · scale + min`, rounded for int32).
 */
import { tensor } from '../ops/creation.js';
import { sizeOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { ModelFileError } from './errors.js';

export type TfjsWeightDType = 'float32' | 'int32' | 'bool';
export type TfjsQuantizationDType = 'uint8' | 'uint16' | 'float16';

export interface TfjsWeightEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: TfjsWeightDType;
  readonly quantization?: { readonly dtype: TfjsQuantizationDType; readonly scale?: number; readonly min?: number };
}

export interface TfjsWeightGroup {
  /** Shard files, relative to the manifest, whose concatenation holds the group's tensors in order. */
  readonly paths: readonly string[];
  readonly weights: readonly TfjsWeightEntry[];
}

export type TfjsWeightsManifest = readonly TfjsWeightGroup[];

const STORED_BYTES: Record<TfjsWeightDType | TfjsQuantizationDType, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function checkEntry(raw: unknown, where: string, file: string): TfjsWeightEntry {
  if (!isObject(raw) || typeof raw['name'] !== 'string') throw new ModelFileError(file, `${where} has no name`);
  const name = raw['name'];
  const shape = raw['shape'];
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
    throw new ModelFileError(file, `tensor '${name}' has an invalid shape ${JSON.stringify(shape)}`);
  }
  const dtype = raw['dtype'];
  if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') {
    throw new ModelFileError(file, `tensor '${name}' has dtype ${JSON.stringify(dtype)}; supported: float32, int32, bool`);
  }
  const q = raw['quantization'];
  if (q === undefined || q === null) return { name, shape: shape as number[], dtype };
  if (!isObject(q)) throw new ModelFileError(file, `tensor '${name}' has an invalid quantization ${JSON.stringify(q)}`);
  const qType = q['dtype'];
  if (qType !== 'uint8' && qType !== 'uint16' && qType !== 'float16') {
    throw new ModelFileError(file, `tensor '${name}' is quantised as ${JSON.stringify(qType)}; supported: uint8, uint16, float16`);
  }
  if (dtype === 'bool' || (qType === 'float16' && dtype !== 'float32')) {
    throw new ModelFileError(file, `tensor '${name}': ${dtype} weights cannot be quantised as ${qType}`);
  }
  if (qType === 'float16') return { name, shape: shape as number[], dtype, quantization: { dtype: qType } };
  const { scale, min } = q;
  if (typeof scale !== 'number' || typeof min !== 'number' || !Number.isFinite(scale) || !Number.isFinite(min)) {
    throw new ModelFileError(file, `tensor '${name}' is quantised as ${qType} without a finite scale and min`);
  }
  return { name, shape: shape as number[], dtype, quantization: { dtype: qType, scale, min } };
}

/**
 * Validates a parsed manifest: an array of groups, or a TF.js `model.json` object with a `weightsManifest`.
 * `file` names it in errors.
 */
export function parseTfjsWeightsManifest(json: unknown, file: string): TfjsWeightsManifest {
  const groups = isObject(json) && 'weightsManifest' in json ? json['weightsManifest'] : json;
  if (!Array.isArray(groups)) throw new ModelFileError(file, 'not a TensorFlow.js weights manifest: expected an array of {paths, weights} groups');
  return groups.map((g: unknown, i) => {
    if (!isObject(g) || !Array.isArray(g['paths']) || !Array.isArray(g['weights']) || !g['paths'].every((p) => typeof p === 'string')) {
      throw new ModelFileError(file, `group ${i} is not {paths: string[], weights: []}`);
    }
    return { paths: g['paths'] as string[], weights: g['weights'].map((w: unknown, j) => checkEntry(w, `group ${i} weight ${j}`, file)) };
  });
}

/** IEEE half-precision bits → number. */
function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

function decodeEntry(entry: TfjsWeightEntry, view: DataView, offset: number): Tensor {
  const n = sizeOf(entry.shape);
  const q = entry.quantization;
  if (!q) {
    if (entry.dtype === 'bool') return tensor(Uint8Array.from({ length: n }, (_, i) => (view.getUint8(offset + i) ? 1 : 0)), [...entry.shape], { dtype: 'bool' });
    const values = entry.dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = entry.dtype === 'int32' ? view.getInt32(offset + 4 * i, true) : view.getFloat32(offset + 4 * i, true);
    return tensor(values, [...entry.shape]);
  }
  const read = q.dtype === 'uint8' ? (i: number) => view.getUint8(offset + i) : (i: number) => view.getUint16(offset + 2 * i, true);
  if (q.dtype === 'float16') return tensor(Float32Array.from({ length: n }, (_, i) => halfToNumber(read(i))), [...entry.shape]);
  const scale = q.scale!;
  const min = q.min!;
  if (entry.dtype === 'int32') return tensor(Int32Array.from({ length: n }, (_, i) => Math.round(read(i) * scale + min)), [...entry.shape]);
  return tensor(Float32Array.from({ length: n }, (_, i) => read(i) * scale + min), [...entry.shape]);
}

/** Bytes a manifest entry occupies in its group's shards. */
export function tfjsStoredBytes(entry: TfjsWeightEntry): number {
  return sizeOf(entry.shape) * STORED_BYTES[entry.quantization?.dtype ?? entry.dtype];
}

/**
 * Decodes every tensor of a manifest. `shards` maps each path listed in the manifest to its bytes; `file`
 * names the manifest in errors. A missing shard, shards whose total size differs from what the group's
 * tensors need, or a tensor name given twice is refused, naming the shard or tensor.
 *
 *     const weights = decodeTfjsWeights(JSON.parse(manifestText), { 'model.bin': bytes }, 'model-weights_manifest.json');
 *     weights['conv0/filters'].shape   // [3, 3, 3, 16]
 */
export function decodeTfjsWeights(manifest: unknown, shards: Readonly<Record<string, Uint8Array>>, file: string): Record<string, Tensor> {
  const groups = parseTfjsWeightsManifest(manifest, file);
  const out: Record<string, Tensor> = {};
  for (const group of groups) {
    const parts = group.paths.map((p) => {
      const bytes = shards[p];
      if (!bytes) throw new ModelFileError(p, `weight shard is missing (listed in ${file})`);
      return bytes;
    });
    const total = parts.reduce((s, b) => s + b.length, 0);
    const needed = group.weights.reduce((s, w) => s + tfjsStoredBytes(w), 0);
    if (total !== needed) {
      const sizes = group.paths.map((p, i) => `${p}: ${parts[i]!.length} bytes`).join(', ');
      throw new ModelFileError(file, `the tensors of group [${group.paths.join(', ')}] need ${needed} bytes but the shards hold ${total} (${sizes}): a shard is truncated, or belongs to another model`);
    }
    const data = new Uint8Array(total);
    let at = 0;
    for (const b of parts) {
      data.set(b, at);
      at += b.length;
    }
    const view = new DataView(data.buffer);
    let offset = 0;
    for (const entry of group.weights) {
      if (entry.name in out) throw new ModelFileError(file, `tensor '${entry.name}' is listed twice`);
      out[entry.name] = decodeEntry(entry, view, offset);
      offset += tfjsStoredBytes(entry);
    }
  }
  return out;
}
