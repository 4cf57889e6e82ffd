/**
 * `catsdogs train|explore --reuse DIR`: networks that an earlier `train` run (its --out folder DIR)
 * trained with the same recipe are loaded from its models/ folder instead of being trained again.
 * Training is repeatable — one recipe and one network seed give the same weights — so a run that
 * reuses networks reports what training them afresh would, and growing an ensemble (three networks
 * per seed → five) or adding seeds costs only the new networks.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Sequential, ValueError } from 'tensile';
import { loadModel } from 'tensile/node';
import { classifierPaths, readEnsemble } from './ensemble.node.js';
import { augmentationOf, cnnShapeOf } from './model.js';
import type { CatsDogsResults } from './study.node.js';
import type { LoadedNetworkRun, NetworkRun, TrainSettings } from './train.node.js';

/** Everything that decides a network's weights given its seed; not the seeds, ensemble size or validation photos. */
function networkRecipe(s: TrainSettings): Record<string, unknown> {
  return {
    size: s.size, gray: s.gray, trainLimit: s.trainLimit ?? null, selectionFraction: s.selectionFraction, refit: s.refit ?? false,
    ...cnnShapeOf(s), ...augmentationOf(s),
    epochs: s.epochs, batchSize: s.batchSize, learningRate: s.learningRate,
  };
}

/** The networks of an earlier run, by network seed. */
export class EarlierNetworks {
  private constructor(
    readonly dir: string,
    private readonly networks: ReadonlyMap<number, { readonly run: NetworkRun; readonly file: () => Promise<string> }>,
  ) {}

  /** Opens DIR's results.json; refuses a run whose recipe differs from `settings`, naming each difference. */
  static async open(dir: string, settings: TrainSettings): Promise<EarlierNetworks> {
    const resultsFile = path.join(dir, 'results.json');
    let results: CatsDogsResults;
    try {
      results = JSON.parse(await readFile(resultsFile, 'utf8')) as CatsDogsResults;
    } catch (cause) {
      throw new ValueError(`catsdogs --reuse: ${resultsFile} cannot be read as a train run's results (${(cause as Error).message})`);
    }
    const theirs = networkRecipe(results.settings);
    const ours = networkRecipe(settings);
    const differences = Object.keys(ours).filter((key) => JSON.stringify(ours[key]) !== JSON.stringify(theirs[key]))
      .map((key) => `${key} ${JSON.stringify(ours[key])} here, ${JSON.stringify(theirs[key])} there`);
    if (differences.length > 0) throw new ValueError(`catsdogs --reuse ${dir}: its networks were trained with another recipe: ${differences.join('; ')}`);
    const size = results.settings.ensemble ?? 1;
    const networks = new Map<number, { run: NetworkRun; file: () => Promise<string> }>();
    for (const seedRun of results.runs) {
      const files = classifierPaths(path.join(dir, 'models'), `seed-${seedRun.seed}`, size);
      // The manifest checks its members' sizes, so a replaced network file is refused, not reused.
      const members = async (): Promise<string[]> => (size === 1 ? files.members : readEnsemble(files.target));
      for (const [k, { validationAccuracy: _v, ...run }] of seedRun.networks.entries()) {
        networks.set(run.seed, { run, file: async () => (await members())[k]! });
      }
    }
    return new EarlierNetworks(dir, networks);
  }

  /** The network of `seed` and its training record, or null when the earlier run did not train it. */
  async load(seed: number): Promise<{ readonly model: Sequential; readonly run: LoadedNetworkRun } | null> {
    const found = this.networks.get(seed);
    if (!found) return null;
    const file = await found.file();
    const model = await loadModel(file, { compile: false });
    if (!(model instanceof Sequential)) throw new ValueError(`catsdogs --reuse: ${file} holds a ${model.constructor.name}, not the run's Sequential network ${seed}`);
    return { model, run: { ...found.run, loadedFrom: this.dir } };
  }
}
