/**
 * `tensile faces face-api calibrate`: the face-api embedder's threshold from the LFW identity-training
 * people (115 × 10 photos, disjoint from the DevTest pairs).
 */
import { datasets } from 'tensile/node';
import { calibrateThreshold, type ThresholdCalibration } from '../threshold.js';
import { loadFaceApiEmbedder } from './face-api-embedder.node.js';

export interface CalibrateOptions {
  /** Use only the first N identity-training people (default: all 115). */
  readonly people?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export async function calibrateFaceApi(options: CalibrateOptions = {}): Promise<ThresholdCalibration & { readonly photos: number }> {
  const lfw = await datasets.lfw();
  const files = lfw.identity.files.filter((f) => f.label < (options.people ?? Infinity));
  const embedder = await loadFaceApiEmbedder();
  const embeddings: Float32Array[] = [];
  for (let start = 0; start < files.length; start += 16) {
    embeddings.push(...await embedder.embed(files.slice(start, start + 16).map((f) => lfw.decode(f.path))));
    options.onProgress?.(embeddings.length, files.length);
  }
  return { ...calibrateThreshold(embeddings, files.map((f) => f.label)), photos: files.length };
}
