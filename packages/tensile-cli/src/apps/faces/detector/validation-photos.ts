/**
 * Held-out "photographs" for choosing settings without the test set: each held-out non-face scene with
 * up to three held-out face crops pasted at random sizes (36–108 px, log-uniform) and places, never
 * overlapping. Detection on them is scored exactly like the test photographs.
 */
import { Generator, RawImage, resize, type Rect } from 'tensile';
import type { Scene } from './data.node.js';
import type { PhotoResult } from './average-precision.js';
import { WINDOW_PIXELS } from './recipe.js';

export interface LabeledPhoto {
  readonly name: string;
  readonly image: RawImage;
  readonly truth: readonly Rect[];
}

const FACES_PER_PHOTO = 3;
const MAX_SIDE = 3 * WINDOW_PIXELS;

/** Copies a gray `face` into a gray `image` (in place) with its top-left corner at (x, y). */
export function pasteFace(image: RawImage, face: RawImage, x: number, y: number): void {
  for (let row = 0; row < face.height; row++) image.data.set(face.data.subarray(row * face.width, (row + 1) * face.width), (y + row) * image.width + x);
}

export function validationPhotos(faces: readonly RawImage[], scenes: readonly Scene[], seed: number): LabeledPhoto[] {
  const random = new Generator(seed);
  let next = 0;
  return scenes.map(({ name, image }) => {
    const photo = new RawImage(image.data.slice(), image.width, image.height, 1);
    const truth: Rect[] = [];
    for (let k = 0; k < FACES_PER_PHOTO && next < faces.length; k++) {
      const largest = Math.min(MAX_SIDE, image.width, image.height);
      if (largest < WINDOW_PIXELS) break;
      const side = Math.round(WINDOW_PIXELS * (largest / WINDOW_PIXELS) ** random.random());
      for (let attempt = 0; attempt < 50; attempt++) {
        const box = { x: Math.floor(random.random() * (image.width - side + 1)), y: Math.floor(random.random() * (image.height - side + 1)), width: side, height: side };
        const clear = truth.every((t) => box.x >= t.x + t.width || t.x >= box.x + side || box.y >= t.y + t.height || t.y >= box.y + side);
        if (!clear) continue;
        pasteFace(photo, resize(faces[next++]!, side, side), box.x, box.y);
        truth.push(box);
        break;
      }
    }
    return { name, image: photo, truth };
  });
}

/** Runs `detect` on every photo, pairing its detections with the true boxes. */
export function detectOnPhotos(photos: readonly LabeledPhoto[], detect: (image: RawImage) => PhotoResult['detections']): PhotoResult[] {
  return photos.map((p) => ({ truth: p.truth, detections: detect(p.image) }));
}
