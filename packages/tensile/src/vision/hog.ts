/**
 * HOG features of a grayscale image as a tensor op; the backends compute it (the reference backend's
 * `backends/reference/hog.ts` is the specification: Felzenszwalb's 31 features per cell).
 */
import { ShapeError, ValueError } from '../errors.js';
import { backendOf, requireDType, requireTensor } from '../ops/dispatch.js';
import { wrap } from '../tensor/wrap.js';
import { defineOp } from '../ops/registry.js';
import type { Tensor } from '../tensor/tensor.js';
import { optionNames } from '../options.js';

/** Floats per cell: 18 signed orientations, 9 unsigned, 4 texture (block energies). */
export const HOG_CHANNELS = 31;

export interface HogOptions {
  /** Side of a square cell in pixels (default 6). */
  readonly cellSize?: number;
}

/**
 * HOG map of a float32 `[height, width]` image with pixel values on the 0–255 scale:
 * `[⌊height/cellSize⌋, ⌊width/cellSize⌋, 31]`, channels last, so that a window of cells is a slice.
 */
export const hog = defineOp('hog', 'nondifferentiable', (image: Tensor, options: HogOptions = {}): Tensor => {
  requireTensor('hog', image, 'image');
  requireDType('hog', image, ['float32'], 'image');
  const cellSize = options.cellSize ?? 6;
  if (!Number.isInteger(cellSize) || cellSize < 2) throw new ValueError(`hog: cellSize must be an integer ≥ 2, got ${cellSize}`);
  if (image.rank !== 2) throw new ShapeError(`hog: image must be [height, width] (one gray channel), got [${image.shape.join(',')}]`);
  const [height, width] = image.shape as [number, number];
  if (height < cellSize || width < cellSize) throw new ShapeError(`hog: a ${height}×${width} image holds no ${cellSize}-pixel cell`);
  const backend = backendOf('hog', image);
  return wrap(backend, backend.hog(image, { height, width, cellSize }), [Math.floor(height / cellSize), Math.floor(width / cellSize), HOG_CHANNELS], 'float32');
}, { maxArgs: 2, optionsAt: 1, options: optionNames<HogOptions>()('cellSize') });
