/**
 * Identification by nearest enrolled embedding (part (b)): each person is enrolled as the mean of the unit
 * embeddings of their training photographs, renormalised to unit length (chosen before any scoring, see
 * docs/faces/orl-NOTES.md); a photograph is identified as the enrolled person at the smallest distance.
 */
import { ValueError } from 'tensile';
import { embeddingDistance } from '../embedder.js';

/** Person label → unit-length mean embedding. */
export function enrol(embeddings: readonly Float32Array[], labels: readonly number[]): Map<number, Float32Array> {
  if (embeddings.length !== labels.length || embeddings.length === 0) throw new ValueError(`enrol: ${embeddings.length} embeddings for ${labels.length} labels`);
  const sums = new Map<number, Float32Array>();
  embeddings.forEach((embedding, i) => {
    const sum = sums.get(labels[i]!) ?? new Float32Array(embedding.length);
    for (let k = 0; k < embedding.length; k++) sum[k]! += embedding[k]!;
    sums.set(labels[i]!, sum);
  });
  for (const sum of sums.values()) {
    const norm = Math.hypot(...sum);
    for (let k = 0; k < sum.length; k++) sum[k]! /= norm;
  }
  return sums;
}

/** The enrolled person nearest to each embedding. */
export function identify(enrolled: ReadonlyMap<number, Float32Array>, embeddings: readonly Float32Array[]): number[] {
  return embeddings.map((embedding) => {
    let best = -1;
    let bestDistance = Infinity;
    for (const [label, centre] of enrolled) {
      const distance = embeddingDistance(embedding, centre);
      if (distance < bestDistance) [best, bestDistance] = [label, distance];
    }
    return best;
  });
}

/** Fraction of predictions equal to their labels. */
export function accuracy(predicted: readonly number[], labels: readonly number[]): number {
  if (predicted.length !== labels.length || labels.length === 0) throw new ValueError(`accuracy: ${predicted.length} predictions for ${labels.length} labels`);
  return predicted.filter((p, i) => p === labels[i]).length / labels.length;
}
