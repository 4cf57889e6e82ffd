/**
 * The face pipeline the face commands run (`faces serve`, `faces embed`, `faces compare`): an embedder by
 * kind and, when one is given, the HOG face detector (every face found is embedded); without a detector,
 * photographs centred on one face (LFW's convention; see `embedderPipeline`).
 */
import { existsSync } from 'node:fs';
import { FaceDetector as DetectorModel, resolveModel } from './detector/model-file.node.js';
import type { EmbedderKind } from './embedder.js';
import { loadEmbedder } from './load-embedder.node.js';
import { embedderPipeline, type FaceDetector } from './embedder-pipeline.js';
import type { FacePipeline } from './face-pipeline.js';

/** The detector model the face commands use when present and none is named (`tensile faces train-detector --seeds 1`). */
export const DEFAULT_FACE_DETECTOR = 'detector-seed1';
/**
 * Smallest face the service looks for, in pixels. Detection time grows as 1 / minFace² (the pyramid's
 * largest level): on a 250×250 photograph, one thread, 36 → 36–40 ms, 60 → 24 ms, 80 → 14 ms (17:50 UTC
 * 2026-12-06, load average 6.6). A face smaller than 80 pixels is stretched more than 2× into face-api's
 * 150-pixel chip; LFW's faces are boxed at 97–161 pixels.
 */
export const DEFAULT_MIN_FACE = 80;

export interface FacePipelineSpec {
  readonly embedder: EmbedderKind;
  /** Model file of an embedder trained here (`--model`); absent: the kind's default. */
  readonly model?: string;
  /** The detector: a model name (in runs/faces/) or path, and the smallest face side in pixels. Absent: centred photographs. */
  readonly detector?: { readonly model: string; readonly minFace: number };
}

/** The detector model when one is named, else the default one when it exists; undefined: no detector. */
export function chooseDetectorModel(named: string | undefined): string | undefined {
  if (named === 'none') return undefined;
  if (named !== undefined) return named;
  return existsSync(resolveModel(DEFAULT_FACE_DETECTOR)) ? DEFAULT_FACE_DETECTOR : undefined;
}

export async function loadFacePipeline(spec: FacePipelineSpec): Promise<FacePipeline> {
  const embedder = await loadEmbedder(spec.embedder, { model: spec.model });
  if (spec.detector === undefined) return embedderPipeline(embedder);
  const { model, minFace } = spec.detector;
  const detector = await DetectorModel.load(model);
  const detect: FaceDetector = (photo) => detector.detect(photo, { minSize: minFace });
  return embedderPipeline(embedder, detect);
}
