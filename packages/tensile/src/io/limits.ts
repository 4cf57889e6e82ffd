/**
 * The limits every reader checks before it allocates or decodes: the pixel count an image declares
 * (a 2 KB PNG may claim 30000×30000 pixels, which would take gigabytes and minutes to decode), and
 * the bytes a gzip stream may expand to (a few kilobytes can inflate to gigabytes). Set per call
 * or for the process.
 */
import { ValueError } from '../errors.js';
import { DataError } from './errors.js';

export interface DataLimits {
  /** Largest width × height an image may declare (default 100,000,000: PIL's order of magnitude). */
  readonly maxPixels?: number;
  /** Largest size gzip data may decompress to (default 2 GiB). */
  readonly maxBytes?: number;
}

export const DEFAULT_MAX_PIXELS = 100_000_000;
export const DEFAULT_MAX_BYTES = 2 ** 31;

let global: Required<DataLimits> = { maxPixels: DEFAULT_MAX_PIXELS, maxBytes: DEFAULT_MAX_BYTES };

/** Sets the limits for every later read that does not pass its own; returns the previous ones. */
export function setDataLimits(limits: DataLimits): Required<DataLimits> {
  const previous = global;
  global = { maxPixels: limitOf('setDataLimits', limits, 'maxPixels'), maxBytes: limitOf('setDataLimits', limits, 'maxBytes') };
  return previous;
}

/** The limit `name` of `limits`, or the process-wide one when it is not given. */
export function limitOf(where: string, limits: DataLimits, name: keyof DataLimits): number {
  const value = limits[name] ?? global[name];
  if (!(Number.isSafeInteger(value) && value > 0)) throw new ValueError(`${where}: ${name} must be a positive integer, got ${value}`);
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
export function checkDeclaredSize(source: string, size: DeclaredSize, limits: DataLimits = {}): void {
  const { format, width, height } = size;
  const maxPixels = limitOf('decodeImage', limits, 'maxPixels');
  if (!(width > 0 && height > 0)) {
    throw new DataError(source, `${format} declares a ${width}×${height} image: width and height must be positive`, { offset: width > 0 ? size.heightAt : size.widthAt });
  }
  if (width * height > maxPixels) {
    throw new DataError(source, `${format} declares ${width}×${height} = ${width * height} pixels, above the limit maxPixels ${maxPixels} (raise it with the maxPixels option or setDataLimits)`, {
      offset: size.widthAt,
    });
  }
}
