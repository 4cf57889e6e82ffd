/**
 * `tensile faces orl`: identification on the ORL faces over seeded 5/5 splits, (a) by a CNN classifier
 * trained on each split's training photographs and (b) by the nearest enrolled embedding of a face
 * embedder, then both on the test photographs under the controlled perturbations; writes results.json,
 * report.md, the robustness charts and an example strip into `out`.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { RawImage } from 'tensile';
import { orlFaces, writeFileAtomic } from 'tensile/node';
import { lineChart, writeChart, type SeriesPoint } from '../../report/charts.node.js';
import { writeImageGrid } from '../../report/image-grid.node.js';
import { commandLine, describeMachine, machineInfo } from '../../report/machine.node.js';
import { mean, std } from '../../report/stats.js';
import type { FaceEmbedder } from '../embedder.js';
import { CLASSIFIER_RECIPE, classify, type ClassifierRecipe, trainClassifier } from './classifier.js';
import { embedderInput } from './embedder-input.js';
import { accuracy, enrol, identify } from './enrolment.js';
import { PERTURBATIONS, type Perturbation } from './perturbations.js';
import { orlReport } from './report.js';
import type { MethodResult, OrlResults, RobustnessPoint } from './results.js';
import { firstPeople, type LabeledPhotos, photosOf, splitPerPerson } from './split.js';

export const ORL_PEOPLE = 40;
/** Training photographs per person of the protocol (the other 5 of 10 are test photographs). */
export const TRAIN_PER_PERSON = 5;

export interface OrlStudySettings {
  readonly seeds: readonly number[];
  /** Part (b)'s embedder; none: part (b) is skipped. */
  readonly embedder?: FaceEmbedder;
  /** Part (a); false: skipped. */
  readonly classifier: boolean;
  /** Only the first N people (tests and smoke runs). */
  readonly people?: number;
  readonly epochs?: number;
  /**
   * Score on one held-out training photograph per person (training on the other 4) instead of the test
   * photographs, without perturbations: the data every recipe choice is made on.
   */
  readonly validation: boolean;
  readonly out: string;
  readonly log: (line: string) => void;
}

interface Split {
  readonly seed: number;
  readonly train: LabeledPhotos;
  readonly scored: LabeledPhotos;
}

interface Level {
  readonly perturbation: Perturbation;
  readonly level: number;
  readonly strength: number;
}

const LEVELS: readonly Level[] = PERTURBATIONS.flatMap((perturbation) => perturbation.strengths.map((strength, i) => ({ perturbation, level: i + 1, strength })));

/** A photograph under a perturbation level, seeded by the photograph's id so it is the same in every split. */
const perturb = (level: Level, image: RawImage, id: number): RawImage => level.perturbation.apply(image, level.strength, id);

function splitsOf(all: LabeledPhotos, settings: OrlStudySettings): Split[] {
  return settings.seeds.map((seed) => {
    const { kept: train, heldOut: test } = splitPerPerson(all, 10 - TRAIN_PER_PERSON, seed);
    if (!settings.validation) return { seed, train, scored: test };
    const { kept, heldOut } = splitPerPerson(train, 1, seed);
    return { seed, train: kept, scored: heldOut };
  });
}

function robustnessPoint(level: Level, accuracies: readonly number[]): RobustnessPoint {
  return { kind: level.perturbation.kind, unit: level.perturbation.unit, level: level.level, strength: level.strength, accuracies, mean: mean(accuracies), std: std(accuracies) };
}

async function runClassifier(splits: readonly Split[], people: number, settings: OrlStudySettings, recipe: ClassifierRecipe): Promise<MethodResult> {
  const started = performance.now();
  const accuracies: number[] = [];
  const perLevel = LEVELS.map((): number[] => []);
  for (const { seed, train, scored } of splits) {
    const seedStart = performance.now();
    const model = await trainClassifier(train, people, seed, recipe);
    accuracies.push(accuracy(classify(model, scored.images), scored.labels));
    if (!settings.validation) {
      LEVELS.forEach((level, l) => perLevel[l]!.push(accuracy(classify(model, scored.images.map((image, i) => perturb(level, image, scored.ids[i]!))), scored.labels)));
    }
    settings.log(`classifier, seed ${seed}: accuracy ${(100 * accuracies.at(-1)!).toFixed(2)}% (${((performance.now() - seedStart) / 1000).toFixed(0)} s)`);
  }
  const robustness = settings.validation ? [] : LEVELS.map((level, l) => robustnessPoint(level, perLevel[l]!));
  return { method: 'CNN classifier', accuracies, mean: mean(accuracies), std: std(accuracies), robustness, seconds: (performance.now() - started) / 1000 };
}

/** Embeddings of `photos` (perturbed by `level` if given), by photograph id. */
async function embedAll(embedder: FaceEmbedder, photos: LabeledPhotos, level?: Level): Promise<Map<number, Float32Array>> {
  const inputs = photos.images.map((image, i) => embedderInput(level ? perturb(level, image, photos.ids[i]!) : image));
  const embeddings = await embedder.embed(inputs);
  return new Map(photos.ids.map((id, i) => [id, embeddings[i]!]));
}

async function runEmbedder(all: LabeledPhotos, splits: readonly Split[], embedder: FaceEmbedder, settings: OrlStudySettings): Promise<MethodResult> {
  const started = performance.now();
  const clean = await embedAll(embedder, all);
  settings.log(`embedder ${embedder.kind}: embedded ${all.ids.length} photographs (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  const score = (split: Split, scoredEmbeddings: ReadonlyMap<number, Float32Array>): number => {
    const enrolled = enrol(split.train.ids.map((id) => clean.get(id)!), split.train.labels);
    return accuracy(identify(enrolled, split.scored.ids.map((id) => scoredEmbeddings.get(id)!)), split.scored.labels);
  };
  const accuracies = splits.map((split) => score(split, clean));
  const robustness: RobustnessPoint[] = [];
  if (!settings.validation) {
    // Every photograph scored in some split, perturbed and embedded once for all splits.
    const scoredIds = new Set(splits.flatMap((split) => split.scored.ids));
    const scoredPhotos: LabeledPhotos = {
      images: all.images.filter((_, i) => scoredIds.has(all.ids[i]!)),
      labels: all.labels.filter((_, i) => scoredIds.has(all.ids[i]!)),
      ids: all.ids.filter((id) => scoredIds.has(id)),
    };
    for (const level of LEVELS) {
      const levelStart = performance.now();
      const perturbed = await embedAll(embedder, scoredPhotos, level);
      robustness.push(robustnessPoint(level, splits.map((split) => score(split, perturbed))));
      settings.log(`embedder ${embedder.kind}, ${level.perturbation.kind} ${level.strength}: accuracy ${(100 * robustness.at(-1)!.mean).toFixed(2)}% (${((performance.now() - levelStart) / 1000).toFixed(0)} s)`);
    }
  }
  return { method: `${embedder.kind} embedder, nearest enrolled person`, accuracies, mean: mean(accuracies), std: std(accuracies), robustness, seconds: (performance.now() - started) / 1000 };
}

async function writeRobustnessCharts(results: OrlResults, out: string): Promise<void> {
  for (const [name, method] of [['classifier', results.classifier], ['embedder', results.embedder]] as const) {
    if (method === null) continue;
    const points: SeriesPoint[] = PERTURBATIONS.flatMap((p) => [
      { series: p.kind, x: 0, y: 100 * method.mean, error: 100 * method.std },
      ...method.robustness.filter((r) => r.kind === p.kind).map((r) => ({ series: p.kind, x: r.level, y: 100 * r.mean, error: 100 * r.std })),
    ]);
    await writeChart(
      lineChart(points, { title: `ORL ${method.method}: test accuracy under perturbations (mean ± std over ${results.seeds.length} splits)`, x: 'strength level (0 = clean; strengths in report.md)', y: 'accuracy (%)', yDomain: [0, 100] }),
      path.join(out, `robustness-${name}`),
    );
  }
}

/** One photograph under every perturbation at every strength, a row per perturbation. */
async function writeExampleStrip(photo: RawImage, id: number, out: string): Promise<void> {
  const cells = PERTURBATIONS.flatMap((p) => [
    { image: photo, caption: 'clean' },
    ...p.strengths.map((strength, i) => ({ image: perturb({ perturbation: p, level: i + 1, strength }, photo, id), caption: `${p.kind} ${strength}` })),
  ]);
  await writeImageGrid(cells, path.join(out, 'perturbations'), { columns: 4, cellSize: 110, cellHeight: 134, title: 'One ORL test photograph, levels 0–3 (strengths as in report.md)' });
}

export async function runOrlStudy(settings: OrlStudySettings): Promise<OrlResults> {
  const started = performance.now();
  const people = settings.people ?? ORL_PEOPLE;
  const everyone = photosOf((await orlFaces({ trainPerPerson: 10 })).train);
  const all = people < ORL_PEOPLE ? firstPeople(everyone, people) : everyone;
  const splits = splitsOf(all, settings);
  const recipe = { ...CLASSIFIER_RECIPE, ...(settings.epochs === undefined ? {} : { epochs: settings.epochs }) };
  const classifier = settings.classifier ? { ...(await runClassifier(splits, people, settings, recipe)), recipe } : null;
  const embedder = settings.embedder
    ? { ...(await runEmbedder(all, splits, settings.embedder, settings)), kind: settings.embedder.kind, enrolment: 'mean of the unit embeddings of a person’s training photographs, renormalised' }
    : null;
  const results: OrlResults = {
    protocol: settings.validation ? 'validation' : 'test',
    command: commandLine(),
    machine: describeMachine(machineInfo()),
    seeds: settings.seeds,
    people,
    trainPerPerson: splits[0]!.train.ids.length / people,
    scoredPerPerson: splits[0]!.scored.ids.length / people,
    classifier,
    embedder,
    perturbations: PERTURBATIONS.map(({ kind, unit, strengths }) => ({ kind, unit, strengths })),
    seconds: (performance.now() - started) / 1000,
  };
  await fs.mkdir(settings.out, { recursive: true });
  if (!settings.validation) {
    await writeRobustnessCharts(results, settings.out);
    await writeExampleStrip(splits[0]!.scored.images[0]!, splits[0]!.scored.ids[0]!, settings.out);
  }
  await writeFileAtomic(path.join(settings.out, 'results.json'), new TextEncoder().encode(`${JSON.stringify(results, null, 2)}\n`));
  await writeFileAtomic(path.join(settings.out, 'report.md'), new TextEncoder().encode(orlReport(results)));
  return results;
}
