/** `tensile faces landmarks` and `tensile faces calibrate-face-api`: face-api's pretrained networks on Tensile. */
import type { Command } from 'commander';
import { decodeImage } from 'tensile';
import { readFileBytes } from 'tensile/node';
import { calibrateFaceApi } from '../../apps/faces/face-api/calibrate.node.js';
import { loadFaceApiEmbedder } from '../../apps/faces/face-api/face-api-embedder.node.js';
import { applyCommonOptions, emit, positiveInt, positiveNumber, type CommonOptions } from '../options.js';

interface LandmarksOptions extends CommonOptions {
  centerCrop: number;
}

interface CalibrateCliOptions extends CommonOptions {
  people?: number;
}

async function withGlobals<T extends CommonOptions>(options: T, command: Command): Promise<T> {
  const all = { ...command.optsWithGlobals<CommonOptions>(), ...options };
  await applyCommonOptions(all);
  return all;
}

export function registerFaceApiCommands(faces: Command): void {
  faces
    .command('landmarks')
    .description("68 face landmarks (pixel x, y) per photo with face-api's landmark network on Tensile; a photo is a face crop or centred on one face")
    .argument('<images...>', 'JPEG, PNG, PGM/PPM, BMP or GIF files')
    .option('--center-crop <fraction>', "first pass: the centred square's side as a fraction of the shorter side (0.5 suits LFW photos, 1 face crops)", positiveNumber, 0.5)
    .action(async (images: string[], options: LandmarksOptions, command: Command) => {
      const all = await withGlobals(options, command);
      const embedder = await loadFaceApiEmbedder({ centerCrop: all.centerCrop });
      const decoded = await Promise.all(images.map(async (file) => decodeImage(await readFileBytes(file), file)));
      const points = embedder.landmarks(decoded);
      const result = images.map((file, i) => ({ file, landmarks: points[i]!.map((p) => [Number(p.x.toFixed(2)), Number(p.y.toFixed(2))]) }));
      emit(all, result, result.map((r) => `${r.file}: ${r.landmarks.map(([x, y]) => `${x},${y}`).join(' ')}`).join('\n'));
    });

  faces
    .command('calibrate-face-api')
    .description("the face-api embedder's same-person distance threshold, from the LFW identity-training people (never the DevTest pairs)")
    .option('--people <n>', 'use only the first N of the 115 identity-training people', positiveInt)
    .action(async (options: CalibrateCliOptions, command: Command) => {
      const all = await withGlobals(options, command);
      const result = await calibrateFaceApi({
        people: all.people,
        onProgress: all.json ? undefined : (done, total) => process.stderr.write(`\rembedded ${done}/${total} photos`),
      });
      if (!all.json) process.stderr.write('\n');
      emit(all, result, [
        `threshold ${result.threshold.toFixed(4)} (balanced accuracy ${(100 * result.balancedAccuracy).toFixed(2)}% on ${result.samePairs} same-person and ${result.differentPairs} different-person pairs of ${result.photos} photos)`,
        `mean distance: same person ${result.meanSameDistance.toFixed(4)}, different people ${result.meanDifferentDistance.toFixed(4)}`,
      ].join('\n'));
    });
}
