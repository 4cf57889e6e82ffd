/**
 * `tensile quantize`: a float image classifier → int8 file, with activation ranges calibrated on the
 * images under a folder (searched recursively; unreadable files are skipped with a warning), prepared
 * as the model's input shape says (gray if one channel, area resize). An ensemble manifest is
 * quantised member by member into an int8 ensemble (`--out <stem>.ensemble.json`).
 */
import path from 'node:path';
import { ValueError } from 'tensile';
import { IMAGE_EXTENSIONS, listFiles } from 'tensile/node';
import { calibrationBatches, quantizeToFile } from './deploy.node.js';
import { classifierBytes, isEnsembleFile, manifestStem, writeClassifier } from './ensemble.node.js';
import { loadFloatNetworks } from './image-model.node.js';
import { loadPreparedImages } from './images.node.js';
import { counted } from '../report/counted.js';
import { resolveModelPath } from '../model-file.node.js';

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
  /** Bytes on disk (an ensemble: manifest and members). */
  readonly floatBytes: number;
  readonly int8Bytes: number;
  /** int8 layers per network. */
  readonly layers: number;
  readonly networks: number;
}

function spread<T>(items: readonly T[], limit: number): T[] {
  if (items.length <= limit) return [...items];
  return Array.from({ length: limit }, (_, i) => items[Math.floor((i * items.length) / limit)]!);
}

export async function quantizeImageModel(options: QuantizeImagesOptions): Promise<QuantizeImagesResult> {
  const model = await resolveModelPath(options.model);
  const ensemble = isEnsembleFile(model);
  // Checked before any work: an ensemble's members are named after its manifest.
  const stem = ensemble ? manifestStem(options.out) : null;
  if (!ensemble && isEnsembleFile(options.out)) throw new ValueError(`--out ${options.out}: ${model} is one network, written as a model file, not a manifest`);
  const { networks, geometry } = await loadFloatNetworks(model);
  const files = spread(await listFiles(options.calibration, IMAGE_EXTENSIONS), options.limit);
  if (files.length === 0) throw new ValueError(`${options.calibration}: no images (${IMAGE_EXTENSIONS.join(', ')}) to calibrate on`);
  const images = await loadPreparedImages(files.map((file) => ({ path: file, label: 0 })), geometry, { onBadRecord: 'skip' });
  if (images.labels.length === 0) throw new ValueError(`${options.calibration}: none of the ${counted(files.length, 'image')} could be read`);
  const metadata = { source: model, size: String(geometry.size), gray: String(geometry.gray) };
  const indices = Array.from(images.labels, (_, i) => i);
  let layers = 0;
  const quantize = async (file: string, k: number): Promise<void> => {
    layers = (await quantizeToFile(networks[k]!, calibrationBatches(images, indices), file, metadata)).layers.length;
  };
  let out = options.out;
  if (stem === null) await quantize(out, 0);
  else out = await writeClassifier(path.dirname(out), stem, networks.length, quantize);
  return {
    out, calibrationImages: images.labels.length, floatBytes: await classifierBytes(model), int8Bytes: await classifierBytes(out), layers, networks: networks.length,
  };
}
