/**
 * ORL photographs as labelled images and the per-person splits of the protocol: for each seed, 5 of every
 * person's 10 photographs for training and 5 for test; inside a training split, one photograph per person
 * held out for validation, so recipe choices never look at the test photographs.
 */
import { Generator, type LabeledImages, RawImage, ValueError } from 'tensile';

export interface LabeledPhotos {
  readonly images: readonly RawImage[];
  readonly labels: readonly number[];
  /** Each photograph's index in the whole collection: perturbations are seeded by it, embeddings cached by it. */
  readonly ids: readonly number[];
}

/** The photographs of a library split, one RawImage each, numbered in order. */
export function photosOf(split: LabeledImages): LabeledPhotos {
  const [count, height, width, channels] = split.shape;
  const size = height * width * channels;
  const images = Array.from({ length: count }, (_, i) => new RawImage(split.images.slice(i * size, (i + 1) * size), width, height, channels));
  return { images, labels: Array.from(split.labels), ids: images.map((_, i) => i) };
}

function pick(photos: LabeledPhotos, indices: readonly number[]): LabeledPhotos {
  const sorted = [...indices].sort((a, b) => a - b);
  return { images: sorted.map((i) => photos.images[i]!), labels: sorted.map((i) => photos.labels[i]!), ids: sorted.map((i) => photos.ids[i]!) };
}

/** Keeps only the photographs of the first `people` labels (0 … people−1): the slices of tests and smoke runs. */
export function firstPeople(photos: LabeledPhotos, people: number): LabeledPhotos {
  return pick(photos, photos.labels.flatMap((label, i) => (label < people ? [i] : [])));
}

/** Splits every person's photographs into `perPerson` drawn by `seed` (`heldOut`) and the rest (`kept`). */
export function splitPerPerson(photos: LabeledPhotos, perPerson: number, seed: number): { kept: LabeledPhotos; heldOut: LabeledPhotos } {
  const byPerson = new Map<number, number[]>();
  photos.labels.forEach((label, i) => byPerson.set(label, [...(byPerson.get(label) ?? []), i]));
  const random = new Generator(seed);
  const kept: number[] = [];
  const heldOut: number[] = [];
  for (const [label, indices] of [...byPerson].sort(([a], [b]) => a - b)) {
    if (!(Number.isInteger(perPerson) && perPerson >= 1 && perPerson < indices.length)) {
      throw new ValueError(`splitPerPerson: cannot hold out ${perPerson} of person ${label}'s ${indices.length} photographs`);
    }
    const order = random.shuffle([...indices]);
    heldOut.push(...order.slice(0, perPerson));
    kept.push(...order.slice(perPerson));
  }
  return { kept: pick(photos, kept), heldOut: pick(photos, heldOut) };
}
