/** `tensile faces orl`: ORL identification by a CNN classifier and by enrolled embeddings, with the robustness report. */
import type { Command } from 'commander';
import type { EmbedderKind } from '../../apps/faces/embedder.js';
import { loadEmbedder } from '../../apps/faces/load-embedder.node.js';
import { runOrlStudy } from '../../apps/faces/orl/study.node.js';
import { EMBEDDER_OPTION_HELP, embedderKind } from '../embedder-option.js';
import { emit, intList, positiveInt, type CommonOptions, withGlobals } from '../options.js';

interface OrlCliOptions extends CommonOptions {
  seeds: number[];
  embedder: EmbedderKind;
  model?: string;
  skipClassifier?: boolean;
  skipEmbedder?: boolean;
  validation?: boolean;
  epochs?: number;
  people?: number;
  out: string;
}

export function registerFaceOrlCommand(faces: Command): void {
  faces
    .command('orl')
    .description('ORL identification over seeded 5/5 splits: (a) a CNN classifier trained here, (b) nearest enrolled embedding; both under perturbations')
    .option('--seeds <list>', 'one 5/5 split per seed, comma-separated', intList, [1, 2, 3, 4, 5])
    .option('--embedder <kind>', EMBEDDER_OPTION_HELP, embedderKind, 'face-api')
    .option('--model <file>', 'model file of an embedder trained here')
    .option('--skip-classifier', 'identify by the embedder only')
    .option('--skip-embedder', 'identify by the classifier only')
    .option('--validation', 'score on one held-out training photograph per person instead of the test photographs (recipe choices), no perturbations')
    .option('--epochs <n>', 'classifier training epochs (default: the adopted recipe)', positiveInt)
    .option('--people <n>', 'only the first N of the 40 people (quick runs, tests)', positiveInt)
    .option('--out <dir>', 'where report.md, results.json and the charts go', 'docs/faces/orl')
    .action(async (options: OrlCliOptions, command: Command) => {
      const all = await withGlobals(options, command);
      if (options.skipClassifier && options.skipEmbedder) throw new Error('--skip-classifier and --skip-embedder leave nothing to run');
      if (options.people !== undefined && options.people < 2) throw new Error(`--people ${options.people}: identification needs at least 2 people`);
      const embedder = options.skipEmbedder ? undefined : await loadEmbedder(options.embedder, { model: options.model });
      const log = (line: string): void => {
        if (!all.json) process.stderr.write(`${line}\n`);
      };
      const results = await runOrlStudy({
        seeds: options.seeds, embedder, classifier: !options.skipClassifier, people: options.people, epochs: options.epochs,
        validation: options.validation ?? false, out: options.out, log,
      });
      const lines = [results.classifier, results.embedder].flatMap((m) =>
        m === null ? [] : [`${m.method}: ${(100 * m.mean).toFixed(2)} ± ${(100 * m.std).toFixed(2)}% (${results.protocol}, seeds ${results.seeds.join(',')})`]);
      emit(all, results, [...lines, `report: ${options.out}/report.md`].join('\n'));
    });
}
