/** `tensile faces train-embedder`: the face-embedding CNN trained in Tensile with the CosFace loss (issue #22). */
import type { Command } from 'commander';
import { trainEmbedder } from '../../apps/faces/trained/training.node.js';
import { DEFAULT_EMBEDDER_MODEL } from '../../apps/faces/trained/trained-embedder.node.js';
import { emit, nonNegativeInt, positiveInt, type CommonOptions, withGlobals } from '../options.js';

interface TrainEmbedderCliOptions extends CommonOptions {
  out: string;
  epochs?: number;
  seed: number;
  people?: number;
  validationPeople?: number;
}

export function registerFaceEmbedderCommands(faces: Command): void {
  faces
    .command('train-embedder')
    .description('train the face-embedding CNN on faces-lfw-train (CosFace loss), threshold calibrated on held-out training people')
    .option('--out <file>', 'the model file to write', DEFAULT_EMBEDDER_MODEL)
    .option('--epochs <n>', 'epochs (default 18)', positiveInt)
    .option('--seed <n>', 'seed of the people split, initial weights, sampling and augmentation', nonNegativeInt, 1)
    .option('--people <n>', 'train on a slice: the first N people by name with at least 4 images (quick runs, tests)', positiveInt)
    .option('--validation-people <n>', 'people held out for the threshold and validation (default 150)', positiveInt)
    .action(async (options: TrainEmbedderCliOptions, command: Command) => {
      const all = await withGlobals(options, command);
      const log = (line: string): void => {
        if (!all.json) process.stderr.write(`${line}\n`);
      };
      const result = await trainEmbedder({ out: all.out, epochs: all.epochs, seed: all.seed, people: all.people, validationPeople: all.validationPeople }, log);
      const { training, threshold } = result.embedder.config;
      emit(
        all,
        { file: result.file, threshold, training },
        `trained ${result.epochs.length} epochs in ${result.trainSeconds.toFixed(0)} s; held-out verification ${(100 * result.epochs.at(-1)!.validationAccuracy).toFixed(2)}%, threshold ${threshold.toFixed(4)} → ${result.file}`,
      );
    });
}
