/** Resizing a gray image: the shared resampling arithmetic of backend/resample.ts, the specification the WASM kernel follows. */
import type { ResizeGrayInfo, TypedArray } from '../../backend/contract.js';
import { resampleInto, resampleTaps } from '../../backend/resample.js';

export function resizeGray(image: TypedArray, info: ResizeGrayInfo): Float32Array {
  const { height, width, outHeight, outWidth, method } = info;
  const out = info.uint8 ? new Uint8Array(outHeight * outWidth) : new Float32Array(outHeight * outWidth);
  resampleInto(image, { height, width, outHeight, outWidth, channels: 1 }, resampleTaps(width, outWidth, method), resampleTaps(height, outHeight, method), out);
  return out instanceof Float32Array ? out : Float32Array.from(out);
}
