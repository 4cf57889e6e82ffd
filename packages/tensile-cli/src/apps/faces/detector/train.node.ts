/** `tensile faces train-detector`: one detector per seed with the adopted recipe, saved as `<out>/detector-seed<k>.safetensors`. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { loadDetectorData, type DataLimits } from './data.node.js';
import { DETECTOR_RECIPE } from './recipe.js';
import { trainFaceDetector, type HeldOutMetrics } from './training.node.js';

export interface TrainDetectorSettings extends DataLimits {
  readonly seeds: readonly number[];
  readonly out: string;
}

export interface TrainedModel {
  readonly file: string;
  readonly seed: number;
  readonly trainSeconds: number;
  readonly heldOut: HeldOutMetrics;
  readonly threshold: number;
}

export function detectorFileName(seed: number): string {
  return `detector-seed${seed}.safetensors`;
}

export async function trainDetectors(settings: TrainDetectorSettings, log: (line: string) => void): Promise<TrainedModel[]> {
  const data = await loadDetectorData(settings);
  log(`${data.trainFaces.length} training faces, ${data.trainScenes.length} training scenes; held out ${data.heldOutFaces.length} faces, ${data.heldOutScenes.length} scenes`);
  await fs.mkdir(settings.out, { recursive: true });
  const models: TrainedModel[] = [];
  for (const seed of settings.seeds) {
    const detector = trainFaceDetector(data, DETECTOR_RECIPE, seed, log);
    const file = path.join(settings.out, detectorFileName(seed));
    await detector.save(file);
    const training = detector.config.training as { trainSeconds: number; heldOut: HeldOutMetrics };
    models.push({ file, seed, trainSeconds: training.trainSeconds, heldOut: training.heldOut, threshold: detector.config.threshold });
    log(`wrote ${file}`);
  }
  return models;
}
