/**
 * Classify image files with a float or int8 model: each file is decoded and prepared on its own,
 * so an unreadable one yields an error entry naming it while the others are still classified.
 */
import { readFile } from 'node:fs/promises';
import { decodeImage } from 'tensile';
import { channelsOf, prepareImage } from './images.node.js';
import type { ImageClassifier } from './image-model.node.js';
import { argmaxRows, topProbability } from './metrics.js';

export type Prediction =
  | { readonly file: string; readonly label: string; readonly probability: number }
  | { readonly file: string; readonly error: string };

export async function classifyFiles(classifier: ImageClassifier, files: readonly string[], classNames: readonly string[]): Promise<Prediction[]> {
  const { size } = classifier.geometry;
  const pixels = size * size * channelsOf(classifier.geometry);
  const prepared: { file: string; pixels: Float32Array }[] = [];
  const failed = new Map<string, string>();
  for (const file of files) {
    try {
      const image = prepareImage(decodeImage(new Uint8Array(await readFile(file)), file), classifier.geometry);
      prepared.push({ file, pixels: Float32Array.from(image.data, (p) => p / 255) });
    } catch (cause) {
      failed.set(file, cause instanceof Error ? cause.message : String(cause));
    }
  }
  const batch = new Float32Array(prepared.length * pixels);
  prepared.forEach((item, i) => batch.set(item.pixels, i * pixels));
  const logits = prepared.length > 0 ? classifier.logits(batch, prepared.length) : new Float32Array(0);
  const classes = classNames.length;
  const labels = argmaxRows(logits, classes);
  const byFile = new Map(prepared.map((item, i) => [item.file, { label: classNames[labels[i]!]!, probability: topProbability(logits, classes, i) }]));
  return files.map((file) => {
    const error = failed.get(file);
    return error !== undefined ? { file, error } : { file, ...byFile.get(file)! };
  });
}
