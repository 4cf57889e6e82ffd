/**
 * Scale computation for post-training int8 quantisation (the TFLite scheme): weights symmetric per
 * output channel in [−127, 127]; activations affine per tensor, real = scale·(q − zeroPoint) with q
 * in [−128, 127] and real 0 exactly representable (so zero padding and ReLU stay exact).
 */
import { ValueError } from '../errors.js';

export interface AffineParams {
  readonly scale: number;
  readonly zeroPoint: number;
}

export const INT8_MIN = -128;
export const INT8_MAX = 127;

/** Params covering [min, max] widened to include 0; a constant-zero range gets scale 1. */
export function affineParams(min: number, max: number): AffineParams {
  if (!(Number.isFinite(min) && Number.isFinite(max)) || min > max) throw new ValueError(`affineParams: invalid range [${min}, ${max}]`);
  const low = Math.min(min, 0);
  const high = Math.max(max, 0);
  if (high === low) return { scale: 1, zeroPoint: 0 };
  const scale = (high - low) / (INT8_MAX - INT8_MIN);
  return { scale, zeroPoint: clampInt8(Math.round(INT8_MIN - low / scale)) };
}

export function clampInt8(q: number): number {
  return q < INT8_MIN ? INT8_MIN : q > INT8_MAX ? INT8_MAX : q;
}

/** real → int8 with round-half-away-from-zero as Math.round does for positives (ties are rare in practice). */
export function quantizeValue(real: number, params: AffineParams): number {
  return clampInt8(Math.round(real / params.scale) + params.zeroPoint);
}

export function dequantizeValue(q: number, params: AffineParams): number {
  return params.scale * (q - params.zeroPoint);
}

export interface PerChannelWeights {
  /** [channels, depth] row-major, one row per output channel. */
  readonly values: Int8Array;
  /** One scale per output channel: real weight ≈ scale · q. */
  readonly scales: Float32Array;
}

/** Symmetric per-channel quantisation of `rows` (channels × depth, row-major): scale = max|w| / 127. */
export function quantizePerChannel(rows: Float32Array, channels: number, depth: number): PerChannelWeights {
  if (rows.length !== channels * depth) throw new ValueError(`quantizePerChannel: ${rows.length} weights do not fill ${channels}×${depth}`);
  const values = new Int8Array(rows.length);
  const scales = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    let largest = 0;
    for (let k = 0; k < depth; k++) largest = Math.max(largest, Math.abs(rows[c * depth + k]!));
    const scale = largest > 0 ? largest / INT8_MAX : 1;
    scales[c] = scale;
    for (let k = 0; k < depth; k++) values[c * depth + k] = Math.max(-INT8_MAX, Math.min(INT8_MAX, Math.round(rows[c * depth + k]! / scale)));
  }
  return { values, scales };
}
