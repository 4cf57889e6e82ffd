/**
 * The service pipeline the faces service benches run, from their command line as `tensile faces serve`
 * reads it: `--embedder` (default face-api), `--detector NAME|PATH|none` (default the service's: the
 * trained detector-seed1 when it exists) and `--min-face` pixels.
 */
import type { EmbedderKind } from '../src/apps/faces/embedder.js';
import { DEFAULT_MIN_FACE, chooseDetectorModel, type FacePipelineSpec } from '../src/apps/faces/load-face-pipeline.node.js';

export function benchOption(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

export function benchPipelineSpec(): FacePipelineSpec {
  const model = chooseDetectorModel(benchOption('--detector'));
  const minFace = Number(benchOption('--min-face') ?? DEFAULT_MIN_FACE);
  return { embedder: (benchOption('--embedder') ?? 'face-api') as EmbedderKind, detector: model === undefined ? undefined : { model, minFace } };
}
