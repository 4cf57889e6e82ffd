/** `tensile faces verify | embed | compare`: face embedders on LFW pairs, on photograph files, and on two photographs. */
import type { Command } from 'commander';
import type { EmbedderKind } from '../../apps/faces/embedder.js';
import { loadFacePipeline } from '../../apps/faces/load-face-pipeline.node.js';
import { comparePhotoFiles, embedPhotoFiles } from '../../apps/faces/photo-embeddings.node.js';
import { verifyEmbedder } from '../../apps/faces/verification/verify.node.js';
import { addDetectorOptions, describeDetector, type DetectorCliOptions, detectorSpec } from '../detector-option.js';
import { EMBEDDER_OPTION_HELP, embedderKind } from '../embedder-option.js';
import { emit, type CommonOptions, withGlobals } from '../options.js';

interface EmbedderCliOptions extends CommonOptions {
  embedder: EmbedderKind;
  model?: string;
}

interface PhotoCliOptions extends EmbedderCliOptions, DetectorCliOptions {}

interface VerifyCliOptions extends EmbedderCliOptions {
  out: string;
  pairs?: string;
}

const MODEL_OPTION_HELP = 'model file of an embedder trained here';

export function registerFaceVerifyCommands(faces: Command): void {
  faces
    .command('verify')
    .description("LFW verification by LFW's 10-fold protocol: accuracy mean ± std, ROC AUC, equal error rate, accuracy at the embedder's threshold; ROC plot, report.md, results.json")
    .requiredOption('--embedder <kind>', EMBEDDER_OPTION_HELP, embedderKind)
    .option('--model <file>', MODEL_OPTION_HELP)
    .requiredOption('--out <dir>', 'where report.md, results.json and roc.svg/.png go')
    .option('--pairs <file>', "pairs in LFW's format, photographs from the LFW subset (default: the 1,000 DevTest pairs)")
    .action(async (options: VerifyCliOptions, command: Command) => {
      const all = await withGlobals(options, command);
      const r = await verifyEmbedder({ embedder: options.embedder, model: options.model, out: options.out, pairs: options.pairs }, (line) => {
        if (!all.json) process.stderr.write(`${line}\n`);
      });
      const pct = (x: number): string => (100 * x).toFixed(2);
      emit(all, r, [
        `${r.embedder} on ${r.pairs} pairs of ${r.pairsFile}: accuracy ${pct(r.accuracy.mean)} ± ${pct(r.accuracy.std)}% (10-fold), AUC ${r.auc.toFixed(4)}, EER ${pct(r.equalErrorRate)}%`,
        `at the calibrated threshold ${r.calibrated.threshold.toFixed(4)}: accuracy ${pct(r.calibrated.accuracy.mean)} ± ${pct(r.calibrated.accuracy.std)}%`,
        `${r.totalSeconds.toFixed(0)} s; wrote ${options.out}/report.md`,
      ].join('\n'));
    });

  addDetectorOptions(faces
    .command('embed')
    .description('a unit-length embedding of every face in each photograph (largest first, with its box), as JSON on stdout')
    .argument('<images...>', 'JPEG, PNG, PGM/PPM, BMP or GIF files')
    .option('--embedder <kind>', EMBEDDER_OPTION_HELP, embedderKind, 'face-api')
    .option('--model <file>', MODEL_OPTION_HELP))
    .action(async (images: string[], options: PhotoCliOptions, command: Command) => {
      await withGlobals(options, command);
      process.stderr.write(`${describeDetector(options)}\n`);
      const pipeline = await loadFacePipeline({ embedder: options.embedder, model: options.model, detector: detectorSpec(options) });
      const result = (await embedPhotoFiles(pipeline, images)).map(({ file, faces }) => ({
        file,
        faces: faces.map(({ box, embedding }) => ({ box, embedding: Array.from(embedding) })),
      }));
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    });

  addDetectorOptions(faces
    .command('compare')
    .description("the distance between the largest faces of two photographs, and whether it is below the embedder's same-person threshold")
    .argument('<a>', 'first photograph')
    .argument('<b>', 'second photograph')
    .option('--embedder <kind>', EMBEDDER_OPTION_HELP, embedderKind, 'face-api')
    .option('--model <file>', MODEL_OPTION_HELP))
    .action(async (a: string, b: string, options: PhotoCliOptions, command: Command) => {
      const all = await withGlobals(options, command);
      if (!all.json) process.stderr.write(`${describeDetector(options)}\n`);
      const pipeline = await loadFacePipeline({ embedder: options.embedder, model: options.model, detector: detectorSpec(options) });
      const r = await comparePhotoFiles(pipeline, a, b);
      emit(all, r, `distance ${r.distance.toFixed(4)} ${r.samePerson ? '<' : '≥'} threshold ${r.threshold.toFixed(4)}: ${r.samePerson ? 'same person' : 'different people'}`);
    });
}
