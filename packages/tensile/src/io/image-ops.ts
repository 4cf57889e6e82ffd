/**
 * Image preprocessing on RawImages (HWC, any channel count): grayscale, resize (bilinear or area),
 * crop, flip, normalise, and seeded random augmentation. Pure typed-array code, browser-safe.
 */
import { resampleInto, resampleTaps, type ResizeMethod } from '../backend/resample.js';
import { ValueError } from '../errors.js';
import type { Generator } from '../tensor/random.js';
import { RawImage, type PixelArray } from './raw-image.js';
import { checkOptions, optionNames } from '../options.js';

export type { ResizeMethod };

/** ITU-R BT.601 luma, the weights of JPEG, PIL and TF's rgb_to_grayscale. */
export function toGrayscale<P extends PixelArray>(image: RawImage<P>): RawImage<P> {
  if (image.channels === 1) return image;
  if (image.channels < 3) throw new ValueError(`toGrayscale: ${image.channels}-channel images are not RGB`);
  const { width, height, channels, data } = image;
  const gray = makeLike(data, width * height);
  const rounding = data instanceof Uint8Array ? 0.5 : 0;
  for (let p = 0, i = 0; p < width * height; p++, i += channels) {
    gray[p] = 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]! + rounding;
  }
  return new RawImage(gray, width, height, 1);
}

/** Gray (with or without alpha) and RGBA images as RGB, the form colour networks read; RGB images pass through. */
export function toRgb<P extends PixelArray>(image: RawImage<P>): RawImage<P> {
  if (image.channels === 3) return image;
  if (image.channels > 4) throw new ValueError(`toRgb: ${image.channels}-channel images are neither gray nor RGB(A)`);
  const { width, height, channels, data } = image;
  const rgb = makeLike(data, width * height * 3);
  // Gray and gray+alpha repeat their first channel; RGBA drops its alpha.
  const colour = channels >= 3 ? [0, 1, 2] : [0, 0, 0];
  for (let p = 0, i = 0; p < width * height; p++, i += channels) {
    rgb[3 * p] = data[i + colour[0]!]!;
    rgb[3 * p + 1] = data[i + colour[1]!]!;
    rgb[3 * p + 2] = data[i + colour[2]!]!;
  }
  return new RawImage(rgb, width, height, 3);
}

export function resize<P extends PixelArray>(image: RawImage<P>, width: number, height: number, method: ResizeMethod = 'bilinear'): RawImage<P> {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new ValueError(`resize: size must be positive integers, got ${width}×${height}`);
  }
  if (width === image.width && height === image.height) return image;
  const { channels, data } = image;
  const out = makeLike(data, width * height * channels);
  const size = { width: image.width, height: image.height, outWidth: width, outHeight: height, channels };
  resampleInto(data, size, resampleTaps(image.width, width, method), resampleTaps(image.height, height, method), out);
  return new RawImage(out, width, height, channels);
}

/** The `width × height` region whose top-left corner is (x, y); it must lie inside the image. */
export function crop<P extends PixelArray>(image: RawImage<P>, x: number, y: number, width: number, height: number): RawImage<P> {
  if (x < 0 || y < 0 || width <= 0 || height <= 0 || x + width > image.width || y + height > image.height) {
    throw new ValueError(`crop: region ${width}×${height} at (${x}, ${y}) is outside the ${image.width}×${image.height} image`);
  }
  const { channels, data } = image;
  const out = makeLike(data, width * height * channels);
  for (let row = 0; row < height; row++) {
    const from = ((y + row) * image.width + x) * channels;
    out.set(data.subarray(from, from + width * channels), row * width * channels);
  }
  return new RawImage(out, width, height, channels);
}

/** The central `width × height` region. */
export function centerCrop<P extends PixelArray>(image: RawImage<P>, width: number, height: number): RawImage<P> {
  return crop(image, Math.floor((image.width - width) / 2), Math.floor((image.height - height) / 2), width, height);
}

export function flipHorizontal<P extends PixelArray>(image: RawImage<P>): RawImage<P> {
  const { width, height, channels, data } = image;
  const out = makeLike(data, data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * channels;
      out.set(data.subarray(from, from + channels), (y * width + (width - 1 - x)) * channels);
    }
  }
  return new RawImage(out, width, height, channels);
}

export interface NormalizeOptions {
  /** Multiplies pixels first; default 1/255 for 8-bit images (→ [0, 1]), 1 for float images. */
  readonly scale?: number;
  /** Subtracted after scaling, per channel or one for all. Default 0. */
  readonly mean?: number | readonly number[];
  /** Divides after subtracting the mean, per channel or one for all. Default 1. */
  readonly std?: number | readonly number[];
}

const NORMALIZE_OPTION_NAMES = optionNames<NormalizeOptions>()('scale', 'mean', 'std');

/** `(pixel · scale − mean) / std` per channel, as float32. */
export function normalize(image: RawImage<PixelArray>, options: NormalizeOptions = {}): RawImage<Float32Array> {
  checkOptions('normalize', options, NORMALIZE_OPTION_NAMES);
  const { width, height, channels, data } = image;
  const scale = options.scale ?? (data instanceof Uint8Array ? 1 / 255 : 1);
  const mean = perChannel(options.mean ?? 0, channels, 'mean');
  const std = perChannel(options.std ?? 1, channels, 'std');
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const c = i % channels;
    out[i] = (data[i]! * scale - mean[c]!) / std[c]!;
  }
  return new RawImage(out, width, height, channels);
}

export interface AugmentOptions {
  /** Probability of a horizontal flip. Default 0.5. */
  readonly flipProbability?: number;
  /** Crop a random region of this fraction of each side, then resize back. Default 1 (no crop). */
  readonly cropFraction?: number;
  /** Maximum brightness shift as a fraction of full scale (8-bit: of 255). Default 0. */
  readonly brightness?: number;
}

const AUGMENT_OPTION_NAMES = optionNames<AugmentOptions>()('flipProbability', 'cropFraction', 'brightness');

/**
 * Random flip, crop-and-resize and brightness shift, drawn from `random` so a seeded Generator
 * gives the same augmentations on every run.
 */
export function augment<P extends PixelArray>(image: RawImage<P>, random: Generator, options: AugmentOptions = {}): RawImage<P> {
  checkOptions('augment', options, AUGMENT_OPTION_NAMES);
  let out = image;
  const fraction = options.cropFraction ?? 1;
  if (fraction < 1) {
    const width = Math.max(1, Math.round(image.width * fraction));
    const height = Math.max(1, Math.round(image.height * fraction));
    const cropped = crop(out, random.int(0, image.width - width + 1), random.int(0, image.height - height + 1), width, height);
    out = resize(cropped, image.width, image.height, 'bilinear');
  }
  if (random.random() < (options.flipProbability ?? 0.5)) out = flipHorizontal(out);
  const brightness = options.brightness ?? 0;
  if (brightness > 0) out = shiftBrightness(out, (random.random() * 2 - 1) * brightness);
  return out;
}

/** Adds `fraction` of full scale to every pixel; 8-bit pixels saturate at 0 and 255 rather than wrap. */
function shiftBrightness<P extends PixelArray>(image: RawImage<P>, fraction: number): RawImage<P> {
  const { data } = image;
  const out = makeLike(data, data.length);
  if (data instanceof Uint8Array) {
    const shift = fraction * 255;
    for (let i = 0; i < data.length; i++) out[i] = Math.min(255, Math.max(0, Math.round(data[i]! + shift)));
  } else {
    for (let i = 0; i < data.length; i++) out[i] = data[i]! + fraction;
  }
  return new RawImage(out, image.width, image.height, image.channels);
}

function perChannel(value: number | readonly number[], channels: number, what: string): readonly number[] {
  if (typeof value === 'number') return Array.from({ length: channels }, () => value);
  if (value.length !== channels) throw new ValueError(`normalize: ${what} has ${value.length} values for ${channels} channels`);
  return value;
}

/** A new array of the same kind as `like`; Uint8 images stay 8-bit, float images stay float. */
function makeLike<P extends PixelArray>(like: P, length: number): P {
  return (like instanceof Uint8Array ? new Uint8Array(length) : new Float32Array(length)) as P;
}
