/**
 * `tensile quantize`: a float image classifier → int8 file, with activation ranges calibrated on the
 * images under a folder (searched recursively; unreadable files are skipped with a warning), prepared
 * as the model's input shape says (gray if one channel, area resize).
 */
import { stat } from 'node:fs/promises';
import { ValueError } from '../../errors.js';
import { listFiles } from '../../io/files.node.js';
import { IMAGE_EXTENSIONS } from '../../io/image-folder.node.js';
import { Sequential } from '../../nn/index.js';
import { loadModel } from '../../saving/files.node.js';
import { calibrationBatches, quantizeToFile } from './deploy.node.js';
import { loadPreparedImages } from './images.node.js';

export interface QuantizeImagesOptions {
  readonly model: string;
  readonly calibration: string;
  readonly out: string;
  /** Use at most this many calibration images, spread evenly over the sorted file list. */
  readonly limit: number;
}

export interface QuantizeImagesResult {
  readonly out: string;
  readonly calibrationImages: number;
  readonly floatBytes: number;
  readonly int8Bytes: number;
  readonly layers: number;
}

function spread<T>(items: readonly T[], limit: number): T[] {
  if (items.length <= limit) return [...items];
  return Array.from({ length: limit }, (_, i) => items[Math.floor((i * items.length) / limit)]!);
}

export async function quantizeImageModel(options: QuantizeImagesOptions): Promise<QuantizeImagesResult> {
  const model = await loadModel(options.model, { compile: false });
  if (!(model instanceof Sequential)) throw new ValueError(`${options.model}: expected a Sequential image classifier, found ${model.constructor.name}`);
  const [height, width, channels] = model.sampleShape ?? [];
  if (height === null || height === undefined || height !== width || (channels !== 1 && channels !== 3)) {
    throw new ValueError(`${options.model}: expected a square gray or RGB image model, its input is ${JSON.stringify(model.sampleShape)}`);
  }
  const files = spread(await listFiles(options.calibration, IMAGE_EXTENSIONS), options.limit);
  if (files.length === 0) throw new ValueError(`${options.calibration}: no images (${IMAGE_EXTENSIONS.join(', ')}) to calibrate on`);
  const images = await loadPreparedImages(files.map((path) => ({ path, label: 0 })), { size: height, gray: channels === 1 }, { onBadRecord: 'skip' });
  if (images.labels.length === 0) throw new ValueError(`${options.calibration}: none of the ${files.length} images could be read`);
  const quantized = await quantizeToFile(model, calibrationBatches(images, Array.from(images.labels, (_, i) => i)), options.out, {
    source: options.model, size: String(height), gray: String(channels === 1),
  });
  return {
    out: options.out, calibrationImages: images.labels.length, floatBytes: (await stat(options.model)).size, int8Bytes: (await stat(options.out)).size,
    layers: quantized.layers.length,
  };
}
