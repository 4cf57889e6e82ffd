/**
 * Photographs arriving over HTTP: multipart parts read into memory within the limits (bytes per file,
 * files per request, pixels per image), checked to be images before any decoding, and decoded to RGB.
 * Nothing touches the disk here, and the client's file names are never used.
 */
import type { FastifyRequest } from 'fastify';
import { imageSize } from 'image-size';
import { decodeImage, type RawImage, sniffImageFormat, toRgb } from 'tensile';
import { HttpError } from './http-error.js';

export interface UploadLimits {
  /** Largest photograph file, in bytes. */
  readonly maxBytes: number;
  /** Most photographs in one request. */
  readonly maxFiles: number;
  /** Largest photograph, in pixels (width × height), checked from the header before decoding. */
  readonly maxPixels: number;
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = { maxBytes: 8 * 1024 * 1024, maxFiles: 20, maxPixels: 24_000_000 };

export interface Upload {
  readonly fields: ReadonlyMap<string, string>;
  readonly photos: readonly Uint8Array[];
}

/** The text fields and the files of a multipart/form-data request. */
export async function readUpload(request: FastifyRequest, limits: UploadLimits): Promise<Upload> {
  if (!request.isMultipart()) throw new HttpError(400, 'not-multipart', 'expected a multipart/form-data body with the photographs');
  const fields = new Map<string, string>();
  const photos: Uint8Array[] = [];
  try {
    for await (const part of request.parts({ limits: { fileSize: limits.maxBytes, files: limits.maxFiles, fields: 20, fieldSize: 4096, parts: limits.maxFiles + 20 } })) {
      if (part.type === 'file') photos.push(new Uint8Array(await part.toBuffer()));
      else if (typeof part.value === 'string') fields.set(part.fieldname, part.value);
    }
  } catch (error) {
    throw uploadError(error, limits);
  }
  return { fields, photos };
}

/** The multipart plugin's limit errors, reworded with the limit that was hit. */
function uploadError(error: unknown, limits: UploadLimits): unknown {
  const code = (error as { code?: string }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') return new HttpError(413, 'file-too-large', `a photograph is larger than the limit of ${limits.maxBytes} bytes`);
  if (code === 'FST_FILES_LIMIT') return new HttpError(413, 'too-many-files', `more than ${limits.maxFiles} photographs in one request`);
  if (code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') return new HttpError(413, 'too-many-parts', 'too many form fields in one request');
  return error;
}

/** Decodes photograph `index` (counted from 1 in messages) to 8-bit RGB, refusing non-images and oversized images. */
export function decodePhoto(bytes: Uint8Array, index: number, limits: UploadLimits): RawImage {
  const which = `photograph ${index}`;
  if (sniffImageFormat(bytes) === undefined) throw new HttpError(400, 'not-an-image', `${which} is not a JPEG, PNG, GIF, BMP or PGM/PPM image`);
  let width: number;
  let height: number;
  try {
    ({ width, height } = imageSize(bytes));
  } catch (error) {
    throw new HttpError(400, 'bad-image', `${which} has an unreadable header: ${(error as Error).message}`);
  }
  if (width * height > limits.maxPixels) {
    throw new HttpError(413, 'too-many-pixels', `${which} is ${width}×${height} = ${width * height} pixels, more than the limit of ${limits.maxPixels}`);
  }
  let image: RawImage;
  try {
    image = decodeImage(bytes, which);
  } catch (error) {
    throw new HttpError(400, 'bad-image', (error as Error).message);
  }
  return toRgb(image);
}
