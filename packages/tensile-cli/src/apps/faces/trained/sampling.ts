/**
 * Who trains and who validates, and which images an epoch sees. LFW is skewed (George W. Bush has 530
 * images, the median person 3): an epoch takes at most `cap` images of each training person, drawn
 * afresh each epoch, so the many-image people still show all their photographs over the epochs without
 * outweighing everyone else within one.
 */
import { Generator, ValueError } from 'tensile';

export interface LabelledFile {
  readonly path: string;
  /** The person's index in the whole dataset. */
  readonly label: number;
}

export interface PeopleSplit {
  /** Training images, labels renumbered 0 … classes−1. */
  readonly train: readonly LabelledFile[];
  readonly classes: number;
  /** Images of the held-out people, labels as in the dataset; verification pairs are built among them. */
  readonly validation: readonly LabelledFile[];
  readonly validationPeople: number;
}

/**
 * Holds out `validationPeople` people, drawn (seeded) among those with 2 … `maxValidationImages` images, so the
 * validation pairs look like LFW's test people rather than its few celebrities.
 */
export function splitPeople(files: readonly LabelledFile[], validationPeople: number, seed: number, maxValidationImages = 30): PeopleSplit {
  const byPerson = groupByPerson(files);
  const eligible = [...byPerson.keys()].filter((label) => byPerson.get(label)!.length >= 2 && byPerson.get(label)!.length <= maxValidationImages).sort((a, b) => a - b);
  if (validationPeople > eligible.length) throw new ValueError(`splitPeople: cannot hold out ${validationPeople} people, only ${eligible.length} have 2–${maxValidationImages} images`);
  const held = new Set(new Generator(seed).shuffle(eligible).slice(0, validationPeople));
  const trainPeople = [...byPerson.keys()].filter((label) => !held.has(label)).sort((a, b) => a - b);
  const renumber = new Map(trainPeople.map((label, index) => [label, index]));
  return {
    train: files.filter((f) => !held.has(f.label)).map((f) => ({ path: f.path, label: renumber.get(f.label)! })),
    classes: trainPeople.length,
    validation: files.filter((f) => held.has(f.label)),
    validationPeople: held.size,
  };
}

export function groupByPerson(files: readonly LabelledFile[]): Map<number, LabelledFile[]> {
  const groups = new Map<number, LabelledFile[]>();
  for (const file of files) {
    const group = groups.get(file.label);
    if (group) group.push(file);
    else groups.set(file.label, [file]);
  }
  return groups;
}

/** One epoch's images, shuffled: up to `cap` of each person's, a fresh random choice each call. */
export function balancedEpoch(byPerson: ReadonlyMap<number, readonly LabelledFile[]>, cap: number, generator: Generator): LabelledFile[] {
  if (!(Number.isInteger(cap) && cap > 0)) throw new ValueError(`balancedEpoch: cap must be a positive integer, got ${cap}`);
  const chosen = [...byPerson.values()].flatMap((group) => (group.length <= cap ? [...group] : generator.shuffle([...group]).slice(0, cap)));
  return generator.shuffle(chosen);
}
