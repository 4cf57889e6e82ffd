/** HOG features of one window (a face crop or a box cut from a photograph) at the classifier's size. */
import { crop, grayTensor, hog, resize, scope, toGrayscale, type RawImage, type Rect } from 'tensile';

/** Window geometry shared by training and detection. */
export interface WindowShape {
  readonly cellSize: number;
  readonly windowCells: number;
}

/** The image resized to the window (area averaging when shrinking) and described as windowCells² × 31 floats. */
export function windowFeatures(image: RawImage, shape: WindowShape): Float32Array {
  const side = shape.cellSize * shape.windowCells;
  const gray = toGrayscale(image);
  const window = resize(gray, side, side, gray.width > side ? 'area' : 'bilinear');
  return scope(() => Float32Array.from(hog(grayTensor(window), { cellSize: shape.cellSize }).dataSync()));
}

/** Features of a box of a photograph, the box clipped to the image and rounded to whole pixels. */
export function boxFeatures(image: RawImage, box: Rect, shape: WindowShape): Float32Array {
  const x = Math.max(0, Math.round(box.x));
  const y = Math.max(0, Math.round(box.y));
  const width = Math.max(1, Math.min(image.width - x, Math.round(box.width)));
  const height = Math.max(1, Math.min(image.height - y, Math.round(box.height)));
  return windowFeatures(crop(image, x, y, width, height), shape);
}
