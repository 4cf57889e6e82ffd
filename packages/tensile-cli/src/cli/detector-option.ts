/** The `--detector` and `--min-face` options of the face commands that find faces in photographs (serve, embed, compare). */
import type { Command } from 'commander';
import { chooseDetectorModel, DEFAULT_FACE_DETECTOR, DEFAULT_MIN_FACE, type FacePipelineSpec } from '../apps/faces/load-face-pipeline.node.js';
import { positiveInt } from './options.js';

export interface DetectorCliOptions {
  detector?: string;
  minFace: number;
}

export function addDetectorOptions(command: Command): Command {
  return command
    .option('--detector <model>', `face detector: a model name in runs/faces/ or a path, or "none" for photographs centred on one face (default: ${DEFAULT_FACE_DETECTOR} when it exists, else none)`)
    .option('--min-face <pixels>', 'smallest face the detector looks for', positiveInt, DEFAULT_MIN_FACE);
}

/** The detector part of a face pipeline spec, from the options; undefined when no detector is used. */
export function detectorSpec(options: DetectorCliOptions): FacePipelineSpec['detector'] {
  const model = chooseDetectorModel(options.detector);
  return model === undefined ? undefined : { model, minFace: options.minFace };
}

/** One line saying how faces are found, for the commands' logs. */
export function describeDetector(options: DetectorCliOptions): string {
  const model = chooseDetectorModel(options.detector);
  if (model !== undefined) return `face detector ${model}: every face of at least ${options.minFace} pixels`;
  const missing = options.detector === 'none' ? '' : ` (runs/faces/${DEFAULT_FACE_DETECTOR}.safetensors not found; make it with: tensile faces train-detector --seeds 1)`;
  return `no face detector${missing}: every photograph is taken to be centred on one face, LFW's framing`;
}
