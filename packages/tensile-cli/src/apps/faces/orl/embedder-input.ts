/**
 * ORL photographs as a face embedder expects them. The embedders follow LFW's convention: an RGB
 * photograph centred on one face that fills about half of its shorter side (face-api's first landmark
 * pass reads the centred half). ORL's 92×112 gray photographs are tight face crops, so each is centred on
 * a square canvas twice its height, the border filled by replicating the edge pixels, and the gray
 * channel copied into R, G and B.
 */
import { RawImage, ValueError } from 'tensile';

export function embedderInput(image: RawImage): RawImage {
  if (image.channels !== 1) throw new ValueError(`embedderInput: ORL photographs are gray, got ${image.channels} channels`);
  const side = 2 * Math.max(image.width, image.height);
  const left = Math.floor((side - image.width) / 2);
  const top = Math.floor((side - image.height) / 2);
  const out = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++) {
    const sy = Math.min(image.height - 1, Math.max(0, y - top));
    for (let x = 0; x < side; x++) {
      const value = image.data[sy * image.width + Math.min(image.width - 1, Math.max(0, x - left))]!;
      out.fill(value, 3 * (y * side + x), 3 * (y * side + x) + 3);
    }
  }
  return new RawImage(out, side, side, 3);
}
