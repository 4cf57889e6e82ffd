/** `tensile faces train-detector | detect | evaluate-detector`: the HOG + linear-SVM face detector (issue #21). */
import { type Command, InvalidArgumentError } from 'commander';
import { detectInPhotos } from '../../apps/faces/detector/detect.node.js';
import { evaluateDetectors } from '../../apps/faces/detector/evaluate.node.js';
import { DEFAULT_MODEL_DIR } from '../../apps/faces/detector/model-file.node.js';
import { detectorFileName, trainDetectors } from '../../apps/faces/detector/train.node.js';
import { emit, intList, positiveInt, positiveNumber, type CommonOptions, withGlobals } from '../options.js';

interface TrainCliOptions extends CommonOptions {
  seeds: number[];
  out: string;
  faces?: number;
  scenes?: number;
}

interface DetectCliOptions extends CommonOptions {
  model: string;
  minSize?: number;
  threshold?: number;
  out?: string;
}

interface EvaluateCliOptions extends CommonOptions {
  models: string[];
  out: string;
  limit?: number;
}

function finiteNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got '${value}'`);
  return n;
}

const modelList = (value: string): string[] => value.split(',').map((m) => m.trim());

const log = (all: CommonOptions) => (line: string): void => {
  if (!all.json) process.stderr.write(`${line}\n`);
};

export function registerFaceDetectorCommands(faces: Command): void {
  faces
    .command('train-detector')
    .description('train HOG + linear-SVM face detectors (Caltech crops vs non-face scenes, hard-negative mining), one per seed')
    .option('--seeds <list>', 'one detector per seed, comma-separated', intList, [1, 2, 3])
    .option('--out <dir>', 'where detector-seed<k>.safetensors go', DEFAULT_MODEL_DIR)
    .option('--faces <n>', 'use only the first N face crops (quick runs, tests)', positiveInt)
    .option('--scenes <n>', 'use only the first N non-face scenes (quick runs, tests)', positiveInt)
    .action(async (options: TrainCliOptions, command: Command) => {
      const all = await withGlobals(options, command);
      const models = await trainDetectors({ seeds: options.seeds, out: options.out, faces: options.faces, scenes: options.scenes }, log(all));
      emit(
        all,
        { models },
        models
          .map((m) => `seed ${m.seed}: held-out AP@0.5 ${m.heldOut.ap50.toFixed(4)}, threshold ${m.threshold.toFixed(3)}, ${m.trainSeconds.toFixed(0)} s → ${m.file}`)
          .join('\n'),
      );
    });

  faces
    .command('detect')
    .description('find faces in photographs: boxes as JSON on stdout; with --out the photos with boxes drawn (PNG)')
    .argument('<images...>', 'photographs (JPEG, PNG, PGM/PPM, BMP, GIF)')
    .option('--model <m>', `a detector name (in ${DEFAULT_MODEL_DIR}/) or path`, detectorFileName(1).replace('.safetensors', ''))
    .option('--min-size <px>', 'smallest face side in pixels (default 36, the window; smaller upsamples)', positiveNumber)
    .option('--threshold <t>', "report windows scoring at least this (default: the model's own)", finiteNumber)
    .option('--out <dir>', 'write <photo>.faces.png with the boxes drawn and detections.json here')
    .action(async (images: string[], options: DetectCliOptions, command: Command) => {
      const all = await withGlobals(options, command);
      const results = await detectInPhotos({ images, model: options.model, minSize: options.minSize, threshold: options.threshold, out: options.out });
      process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
      if (options.out && !all.json) process.stderr.write(`Wrote ${results.length} drawing(s) and detections.json to ${options.out}\n`);
    });

  faces
    .command('evaluate-detector')
    .description('score detectors on the CMU+MIT photographs: AP@0.5, AP@0.3, recall at 1 FP/photo, PR plot, detection grid, report')
    .option('--models <list>', 'detector names or paths, comma-separated (one per seed)', modelList, [1, 2, 3].map((s) => detectorFileName(s).replace('.safetensors', '')))
    .option('--out <dir>', 'where detector-report.md, detector-results.json and the figures go', 'docs/faces')
    .option('--limit <n>', 'evaluate only the first N photographs (tests)', positiveInt)
    .action(async (options: EvaluateCliOptions, command: Command) => {
      const all = await withGlobals(options, command);
      const r = await evaluateDetectors({ models: options.models, out: options.out, limit: options.limit }, log(all));
      const ms = (s: { mean: number; std: number }, d = 4): string => `${s.mean.toFixed(d)} ± ${s.std.toFixed(d)}`;
      emit(
        all,
        r,
        `${r.models.length} detector(s) on ${r.photos} photos, ${r.faces} faces: AP@0.5 ${ms(r.summary.ap50)}, AP@0.3 ${ms(r.summary.ap30)}, recall at 1 FP/photo ${ms(r.summary.recallAt1Fppi)}; wrote ${options.out}/detector-report.md`,
      );
    });
}
