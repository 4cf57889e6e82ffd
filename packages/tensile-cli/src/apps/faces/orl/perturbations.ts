/**
 * Controlled perturbations of face photographs for the robustness report (Yuan et al.'s claim that a
 * CNN recognises people despite lighting, occlusion and pose): each is a pure function of an 8-bit
 * image, a strength and (for the random ones) a seed, so a perturbed photograph is the same in every
 * split and every run. Geometry reuses the faces' similarity warp; samples from outside the photo are black.
 */
import { Generator, RawImage, ValueError } from 'tensile';
import { warpImage } from '../alignment.js';

export type PerturbationKind = 'gamma' | 'light-gradient' | 'eye-bar' | 'patches' | 'rotation' | 'scale' | 'noise' | 'blur';

export interface Perturbation {
  readonly kind: PerturbationKind;
  /** What the strength measures, for tables and chart legends. */
  readonly unit: string;
  /** The strengths the report measures, weakest first; each a level 1, 2, 3 of the charts (level 0 = clean). */
  readonly strengths: readonly number[];
  apply(image: RawImage, strength: number, seed: number): RawImage;
}

const clampByte = (v: number): number => Math.min(255, Math.max(0, Math.round(v)));

function mapPixels(image: RawImage, f: (value: number, x: number, y: number) => number): RawImage {
  const { width, height, channels, data } = image;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        const i = (y * width + x) * channels + c;
        out[i] = clampByte(f(data[i]!, x, y));
      }
    }
  }
  return new RawImage(out, width, height, channels);
}

/** Darkens mid-tones: v ↦ 255·(v/255)^γ (γ > 1 darkens, γ < 1 brightens). */
export function adjustGamma(image: RawImage, gamma: number): RawImage {
  if (!(gamma > 0)) throw new ValueError(`adjustGamma: gamma must be positive, got ${gamma}`);
  return mapPixels(image, (v) => 255 * (v / 255) ** gamma);
}

/** Light from the right only: brightness falls linearly from ×1 at the right edge to ×(1 − depth) at the left edge. */
export function lightGradient(image: RawImage, depth: number): RawImage {
  if (!(depth >= 0 && depth <= 1)) throw new ValueError(`lightGradient: depth must be in [0, 1], got ${depth}`);
  return mapPixels(image, (v, x) => v * (1 - depth * (1 - (x + 0.5) / image.width)));
}

/** Fills the rectangle [x, x+width) × [y, y+height) (clipped to the image) with `value`. */
function fillRect(image: RawImage, rects: readonly { x: number; y: number; width: number; height: number }[], value: number): RawImage {
  return mapPixels(image, (v, x, y) => (rects.some((r) => x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height) ? value : v));
}

/**
 * The height of the eyes in ORL's upright, centred face crops, as a fraction of the image height: one fixed
 * line for every photograph, not per-face landmarks. 0.48 is the mean eye height of face-api's landmarks on
 * ten ORL photographs of ten people (range 0.43–0.53; docs/faces/orl-NOTES.md).
 */
export const EYE_LINE = 0.48;

/** A black bar across the whole width over the eyes, `fraction` of the image height tall. */
export function eyeBar(image: RawImage, fraction: number): RawImage {
  if (!(fraction >= 0 && fraction <= 1)) throw new ValueError(`eyeBar: fraction must be in [0, 1], got ${fraction}`);
  const height = Math.round(fraction * image.height);
  return fillRect(image, [{ x: 0, y: Math.round(EYE_LINE * image.height - height / 2), width: image.width, height }], 0);
}

/** `count` black squares, each a fifth of the width on a side, at places drawn from `seed` (they may overlap). */
export function randomPatches(image: RawImage, count: number, seed: number): RawImage {
  if (!(Number.isInteger(count) && count >= 0)) throw new ValueError(`randomPatches: count must be a non-negative integer, got ${count}`);
  const side = Math.round(image.width / 5);
  const random = new Generator(seed);
  const rects = Array.from({ length: count }, () => ({ x: random.int(0, image.width - side + 1), y: random.int(0, image.height - side + 1), width: side, height: side }));
  return fillRect(image, rects, 0);
}

/** Rotated by `degrees` (counter-clockwise on screen) and scaled by `scale` about the image centre, same size. */
function rotateAndScale(image: RawImage, degrees: number, scale: number): RawImage {
  // The warp maps output pixels to source pixels: the inverse rotation and scale about the centre.
  const angle = (-degrees * Math.PI) / 180;
  const a = Math.cos(angle) / scale;
  const b = -Math.sin(angle) / scale;
  const cx = image.width / 2;
  const cy = image.height / 2;
  return warpImage(image, { a, b, tx: cx - (a * cx - b * cy), ty: cy - (b * cx + a * cy) }, image.width, image.height);
}

/** In-plane rotation by `degrees` about the image centre. */
export function rotate(image: RawImage, degrees: number): RawImage {
  return rotateAndScale(image, degrees, 1);
}

/** Zoom by `factor` about the image centre (< 1: the face shrinks, black around it). */
export function rescale(image: RawImage, factor: number): RawImage {
  if (!(factor > 0)) throw new ValueError(`rescale: factor must be positive, got ${factor}`);
  return rotateAndScale(image, 0, factor);
}

/** Additive Gaussian noise of standard deviation `sigma` grey levels, drawn from `seed`. */
export function gaussianNoise(image: RawImage, sigma: number, seed: number): RawImage {
  if (!(sigma >= 0)) throw new ValueError(`gaussianNoise: sigma must be non-negative, got ${sigma}`);
  const random = new Generator(seed);
  return mapPixels(image, (v) => v + sigma * random.normal());
}

/** Gaussian blur of standard deviation `sigma` pixels (separable, kernel radius 3σ, edges replicated). */
export function gaussianBlur(image: RawImage, sigma: number): RawImage {
  if (!(sigma >= 0)) throw new ValueError(`gaussianBlur: sigma must be non-negative, got ${sigma}`);
  if (sigma === 0) return image;
  const radius = Math.ceil(3 * sigma);
  const kernel = Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const total = kernel.reduce((s, k) => s + k, 0);
  const weights = kernel.map((k) => k / total);
  const { width, height, channels, data } = image;
  const pass = (source: ArrayLike<number>, dx: number, dy: number): Float32Array => {
    const out = new Float32Array(data.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < channels; c++) {
          let sum = 0;
          for (let k = -radius; k <= radius; k++) {
            const sx = Math.min(width - 1, Math.max(0, x + k * dx));
            const sy = Math.min(height - 1, Math.max(0, y + k * dy));
            sum += weights[k + radius]! * source[(sy * width + sx) * channels + c]!;
          }
          out[(y * width + x) * channels + c] = sum;
        }
      }
    }
    return out;
  };
  const blurred = pass(pass(data, 1, 0), 0, 1);
  return new RawImage(Uint8Array.from(blurred, clampByte), width, height, channels);
}

/** The perturbations of the robustness report and the strengths it measures each at. */
export const PERTURBATIONS: readonly Perturbation[] = [
  { kind: 'gamma', unit: 'γ', strengths: [1.8, 2.6, 3.5], apply: (image, gamma) => adjustGamma(image, gamma) },
  { kind: 'light-gradient', unit: 'darkening at the left edge', strengths: [0.4, 0.7, 0.9], apply: (image, depth) => lightGradient(image, depth) },
  { kind: 'eye-bar', unit: 'bar height / image height', strengths: [0.08, 0.14, 0.2], apply: (image, fraction) => eyeBar(image, fraction) },
  { kind: 'patches', unit: 'black squares (side W/5)', strengths: [2, 4, 6], apply: (image, count, seed) => randomPatches(image, count, seed) },
  { kind: 'rotation', unit: 'degrees', strengths: [10, 20, 30], apply: (image, degrees) => rotate(image, degrees) },
  { kind: 'scale', unit: 'zoom factor', strengths: [0.85, 0.7, 0.55], apply: (image, factor) => rescale(image, factor) },
  { kind: 'noise', unit: 'σ (grey levels)', strengths: [10, 25, 50], apply: (image, sigma, seed) => gaussianNoise(image, sigma, seed) },
  { kind: 'blur', unit: 'σ (pixels)', strengths: [1, 2, 4], apply: (image, sigma) => gaussianBlur(image, sigma) },
];
