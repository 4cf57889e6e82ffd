/**
 * Face alignment from 68-point landmarks (the iBUG 300-W numbering that dlib and face-api use): a
 * similarity transform (rotation, uniform scale, shift) that puts the two eye centres and the mouth centre
 * at fixed places of a square chip, as dlib's and OpenFace's aligners do, then a bilinear resampling.
 * Coordinates are continuous pixels: pixel (i, j) covers [i, i+1) × [j, j+1), its centre is (i+½, j+½).
 */
import { RawImage, ValueError } from 'tensile';

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** x' = a·x − b·y + tx, y' = b·x + a·y + ty: scale √(a²+b²), rotation atan2(b, a). */
export interface Similarity {
  readonly a: number;
  readonly b: number;
  readonly tx: number;
  readonly ty: number;
}

export function applySimilarity(t: Similarity, p: Point): Point {
  return { x: t.a * p.x - t.b * p.y + t.tx, y: t.b * p.x + t.a * p.y + t.ty };
}

export function invertSimilarity(t: Similarity): Similarity {
  const d = t.a * t.a + t.b * t.b;
  if (!(d > 0)) throw new ValueError('invertSimilarity: the transform has zero scale');
  const a = t.a / d;
  const b = -t.b / d;
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) };
}

/** The similarity that maps `from` onto `to` with the least squared error (closed form; no reflection). */
export function fitSimilarity(from: readonly Point[], to: readonly Point[]): Similarity {
  if (from.length !== to.length || from.length < 2) throw new ValueError(`fitSimilarity: needs two equal lists of at least 2 points, got ${from.length} and ${to.length}`);
  const n = from.length;
  const mean = (ps: readonly Point[]): Point => ({ x: ps.reduce((s, p) => s + p.x, 0) / n, y: ps.reduce((s, p) => s + p.y, 0) / n });
  const mf = mean(from);
  const mt = mean(to);
  let dot = 0;
  let cross = 0;
  let norm = 0;
  for (let i = 0; i < n; i++) {
    const px = from[i]!.x - mf.x;
    const py = from[i]!.y - mf.y;
    const qx = to[i]!.x - mt.x;
    const qy = to[i]!.y - mt.y;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
    norm += px * px + py * py;
  }
  if (!(norm > 0)) throw new ValueError('fitSimilarity: the source points coincide');
  const a = dot / norm;
  const b = cross / norm;
  return { a, b, tx: mt.x - (a * mf.x - b * mf.y), ty: mt.y - (b * mf.x + a * mf.y) };
}

/**
 * Where the chip puts the eye centres and the mouth centre, as fractions of its side: eyes 40% of the side
 * apart at 30% height, mouth centre at 72% — close to where dlib's 150×150 chips (padding 0.25) put them.
 */
export const ALIGNED_FACE_TEMPLATE: readonly [Point, Point, Point] = [
  { x: 0.3, y: 0.3 }, // eye on the image's left (the subject's right eye, points 36–41)
  { x: 0.7, y: 0.3 }, // eye on the image's right (points 42–47)
  { x: 0.5, y: 0.72 }, // mouth (points 48–67)
];

const centre = (points: readonly Point[], first: number, last: number): Point => {
  const part = points.slice(first, last + 1);
  return { x: part.reduce((s, p) => s + p.x, 0) / part.length, y: part.reduce((s, p) => s + p.y, 0) / part.length };
};

/** Eye centres (image left, image right) and mouth centre of 68 landmarks. */
export function faceAnchors(landmarks: readonly Point[]): [Point, Point, Point] {
  if (landmarks.length !== 68) throw new ValueError(`faceAnchors: expected 68 landmarks, got ${landmarks.length}`);
  return [centre(landmarks, 36, 41), centre(landmarks, 42, 47), centre(landmarks, 48, 67)];
}

/**
 * A `width`×`height` image sampled from `image` through `outputToImage` (output pixel coordinates → image
 * pixel coordinates), bilinear; samples outside the image are 0. The result keeps the image's channels and pixel type.
 */
export function warpImage(image: RawImage, outputToImage: Similarity, width: number, height: number): RawImage {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new ValueError(`warpImage: size must be positive integers, got ${width}×${height}`);
  }
  const { channels, data } = image;
  const out = new Uint8Array(width * height * channels);
  const at = (x: number, y: number, c: number): number => (x >= 0 && y >= 0 && x < image.width && y < image.height ? data[(y * image.width + x) * channels + c]! : 0);
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      const p = applySimilarity(outputToImage, { x: u + 0.5, y: v + 0.5 });
      const sx = p.x - 0.5;
      const sy = p.y - 0.5;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      for (let c = 0; c < channels; c++) {
        const value = (1 - fy) * ((1 - fx) * at(x0, y0, c) + fx * at(x0 + 1, y0, c)) + fy * ((1 - fx) * at(x0, y0 + 1, c) + fx * at(x0 + 1, y0 + 1, c));
        out[(v * width + u) * channels + c] = Math.round(value);
      }
    }
  }
  return new RawImage(out, width, height, channels);
}

/** A `size`×`size` chip of `image` sampled through `chipToImage` (chip pixel coordinates → image pixel coordinates); see warpImage. */
export function warpToChip(image: RawImage, chipToImage: Similarity, size: number): RawImage {
  if (!Number.isInteger(size) || size <= 0) throw new ValueError(`warpToChip: size must be a positive integer, got ${size}`);
  return warpImage(image, chipToImage, size, size);
}

/** The square region [left, left+side) × [top, top+side) of `image` resampled to `size`×`size`. */
export function squareChip(image: RawImage, left: number, top: number, side: number, size: number): RawImage {
  const scale = side / size;
  return warpToChip(image, { a: scale, b: 0, tx: left, ty: top }, size);
}

/** The face in `image` aligned from its 68 `landmarks` (image pixel coordinates) into a `size`×`size` chip. */
export function alignFace(image: RawImage, landmarks: readonly Point[], size = 150): RawImage {
  const target = ALIGNED_FACE_TEMPLATE.map((p) => ({ x: p.x * size, y: p.y * size }));
  return warpToChip(image, fitSimilarity(target, faceAnchors(landmarks)), size);
}
