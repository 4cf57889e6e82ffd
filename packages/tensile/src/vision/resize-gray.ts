/**
 * Resizing a gray image held as a tensor, as `resize` does a one-channel RawImage (the arithmetic of
 * backend/resample.ts; the reference backend's kernel is the specification). Image pyramids stay in
 * the backend's memory this way, level after level.
 */
import { ShapeError, ValueError } from '../errors.js';
import type { ResizeMethod } from '../backend/resample.js';
import { backendOf, requireDType, requireTensor } from '../ops/dispatch.js';
import { defineOp } from '../ops/registry.js';
import type { Tensor } from '../tensor/tensor.js';
import { wrap } from '../tensor/wrap.js';
import { optionNames } from '../options.js';

export interface ResizeGrayOptions {
  /** Target width in pixels. */
  readonly width: number;
  /** Target height in pixels. */
  readonly height: number;
  /** Default `bilinear` (as `resize`). */
  readonly method?: ResizeMethod;
  /**
   * The pixels are 8-bit values: each output is rounded as a Uint8 RawImage's `resize` stores it
   * (accumulated from ½, truncated modulo 256), so a pyramid matches one built from 8-bit images (default false).
   */
  readonly uint8?: boolean;
}

/** A float32 `[height, width]` image resampled to `[options.height, options.width]`; the same size returns the image. */
export const resizeGray = defineOp('resizeGray', 'nondifferentiable', (image: Tensor, options: ResizeGrayOptions): Tensor => {
  requireTensor('resizeGray', image, 'image');
  requireDType('resizeGray', image, ['float32'], 'image');
  if (image.rank !== 2) throw new ShapeError(`resizeGray: image must be [height, width] (one gray channel), got [${image.shape.join(',')}]`);
  const { width: outWidth, height: outHeight, method = 'bilinear', uint8 = false } = options;
  if (!(Number.isInteger(outWidth) && Number.isInteger(outHeight) && outWidth > 0 && outHeight > 0)) {
    throw new ValueError(`resizeGray: size must be positive integers, got ${outWidth}×${outHeight}`);
  }
  if (method !== 'bilinear' && method !== 'area') throw new ValueError(`resizeGray: method must be 'bilinear' or 'area', got '${String(method)}'`);
  const [height, width] = image.shape as [number, number];
  if (height === outHeight && width === outWidth) return image;
  const backend = backendOf('resizeGray', image);
  return wrap(backend, backend.resizeGray(image, { height, width, outHeight, outWidth, method, uint8 }), [outHeight, outWidth], 'float32');
}, { maxArgs: 2, optionsAt: 1, options: optionNames<ResizeGrayOptions>()('width', 'height', 'method', 'uint8') });
