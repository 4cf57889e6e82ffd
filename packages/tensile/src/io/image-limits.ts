/**
 * The pixel limit every image reader checks against the size a file declares, before it allocates
 * or decodes anything: a 2 KB PNG may claim 30000×30000 pixels, and decoding it would take
 * gigabytes and minutes. The default is PIL's order of magnitude; raise it per call or globally.
 */
import { ValueError } from '../errors.js';
import { DataError } from './errors.js';

export interface ImageLimits {
  /** Largest width × height a file may declare (default 100 000 000, i.e. 100 megapixels). */
  readonly maxPixels?: number;
}

export const DEFAULT_MAX_PIXELS = 100_000_000;

let globalMaxPixels = DEFAULT_MAX_PIXELS;

/** Sets the pixel limit for every later decode that does not pass its own; returns the previous one. */
export function setImageLimits(limits: ImageLimits): Required<ImageLimits> {
  const previous = { maxPixels: globalMaxPixels };
  globalMaxPixels = validMaxPixels('setImageLimits', limits.maxPixels ?? globalMaxPixels);
  return previous;
}

function validMaxPixels(where: string, value: number): number {
  if (!(Number.isSafeInteger(value) && value > 0)) throw new ValueError(`${where}: maxPixels must be a positive integer, got ${value}`);
  return value;
}

/** Image size as a file's header declares it, with where each field sits (for the error message). */
export interface DeclaredSize {
  readonly format: string;
  readonly width: number;
  readonly height: number;
  readonly widthAt: number;
  readonly heightAt: number;
}

/**
 * Refuses a declared image size that is empty or above the limit, pointing at the header field at
 * fault rather than at the pixel data.
 */
export function checkDeclaredSize(source: string, size: DeclaredSize, limits: ImageLimits = {}): void {
  const { format, width, height } = size;
  const maxPixels = limits.maxPixels === undefined ? globalMaxPixels : validMaxPixels('decodeImage', limits.maxPixels);
  if (!(width > 0 && height > 0)) {
    throw new DataError(source, `${format} declares a ${width}×${height} image: width and height must be positive`, { offset: width > 0 ? size.heightAt : size.widthAt });
  }
  if (width * height > maxPixels) {
    throw new DataError(source, `${format} declares ${width}×${height} = ${width * height} pixels, above the limit maxPixels ${maxPixels} (raise it with decodeImage's maxPixels option or setImageLimits)`, {
      offset: size.widthAt,
    });
  }
}
