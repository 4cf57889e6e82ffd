/** Boxes drawn onto a copy of a photograph (RGB), for `detect --out` and the report's grids. */
import { RawImage, type Rect } from 'tensile';

export type Color = readonly [number, number, number];
export const DETECTION_COLOR: Color = [0, 220, 0];
export const TRUTH_COLOR: Color = [255, 40, 40];

/** An RGB copy of `image` (gray or RGB) with each box's outline drawn `thickness` pixels wide, clipped to the image. */
export function drawBoxes(image: RawImage, groups: readonly { readonly boxes: readonly Rect[]; readonly color: Color }[], thickness = 2): RawImage {
  const { width, height } = image;
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) for (let c = 0; c < 3; c++) rgb[3 * p + c] = image.data[p * image.channels + (image.channels < 3 ? 0 : c)]!;
  const fill = (x0: number, y0: number, x1: number, y1: number, color: Color): void => {
    for (let y = Math.max(0, y0); y < Math.min(height, y1); y++) {
      for (let x = Math.max(0, x0); x < Math.min(width, x1); x++) rgb.set(color, 3 * (y * width + x));
    }
  };
  for (const { boxes, color } of groups) {
    for (const box of boxes) {
      const [x0, y0] = [Math.round(box.x), Math.round(box.y)];
      const [x1, y1] = [Math.round(box.x + box.width), Math.round(box.y + box.height)];
      fill(x0, y0, x1, y0 + thickness, color);
      fill(x0, y1 - thickness, x1, y1, color);
      fill(x0, y0, x0 + thickness, y1, color);
      fill(x1 - thickness, y0, x1, y1, color);
    }
  }
  return new RawImage(rgb, width, height, 3);
}
