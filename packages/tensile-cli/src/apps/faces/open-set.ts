/**
 * The allow distance for one-to-many identification. The service compares a face with every enrolled
 * embedding and keeps the nearest, so a stranger is allowed when *any* of the gallery's E embeddings is
 * within the allow distance t. With F(t) the share of different-person pairs closer than t, and the E
 * comparisons taken as independent, a stranger is allowed with probability 1 − (1 − F(t))^E; the rule
 * keeps that at most `alpha` by taking t where F(t) ≤ 1 − (1 − alpha)^(1/E). (Strangers or enrolled
 * people who look like many others make the comparisons dependent, which lowers the real rate below the
 * independent one, so the rule errs on the safe side; `checkOpenSet` measures it on simulated galleries.)
 * F comes from calibration people only — never the people the service is scored on.
 */
import { Generator, ValueError } from 'tensile';
import { embeddingDistance } from './embedder.js';
import { Gallery } from './service/gallery.js';

export interface LabelledEmbedding {
  readonly person: number;
  readonly image: string;
  readonly embedding: Float32Array;
}

/** Galleries of up to `embeddings` enrolled embeddings are allowed up to `allowDistance`. */
export interface AllowStep {
  readonly embeddings: number;
  readonly allowDistance: number;
  /** Different-person calibration pairs closer than `allowDistance`. */
  readonly pairsBelow: number;
}

export interface OpenSetRule {
  /** Target share of strangers allowed. */
  readonly alpha: number;
  readonly differentPairs: number;
  /** Increasing gallery sizes, non-increasing allow distances; larger galleries than the last step use its distance (not calibrated). */
  readonly steps: readonly AllowStep[];
}

/** The gallery sizes the rule is tabulated at. */
export const GALLERY_STEPS: readonly number[] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000];
/** A step needs at least this many different-person pairs below its distance to be estimated at all. */
export const MIN_PAIRS_BELOW = 10;

export interface OpenSetOptions {
  readonly alpha: number;
  readonly gallerySizes?: readonly number[];
}

/** The allow distance by gallery size from labelled calibration embeddings (every different-person pair). */
export function calibrateOpenSet(embeddings: readonly LabelledEmbedding[], options: OpenSetOptions): OpenSetRule {
  const { alpha } = options;
  if (!(alpha > 0 && alpha < 1)) throw new ValueError(`calibrateOpenSet: alpha must be in (0, 1), got ${alpha}`);
  const different: number[] = [];
  for (let i = 0; i < embeddings.length; i++) {
    for (let j = i + 1; j < embeddings.length; j++) {
      if (embeddings[i]!.person !== embeddings[j]!.person) different.push(embeddingDistance(embeddings[i]!.embedding, embeddings[j]!.embedding));
    }
  }
  const sorted = Float64Array.from(different).sort();
  const steps: AllowStep[] = [];
  for (const size of options.gallerySizes ?? GALLERY_STEPS) {
    const perPair = 1 - (1 - alpha) ** (1 / size);
    // The largest k pairs may lie below t: t sits midway between the k-th and the (k+1)-th distance.
    const k = Math.floor(perPair * sorted.length);
    if (k < MIN_PAIRS_BELOW || k >= sorted.length) continue;
    steps.push({ embeddings: size, allowDistance: (sorted[k - 1]! + sorted[k]!) / 2, pairsBelow: k });
  }
  if (steps.length === 0) {
    throw new ValueError(`calibrateOpenSet: ${sorted.length} different-person pairs are too few to estimate a ${alpha} stranger rate at any gallery size`);
  }
  return { alpha, differentPairs: sorted.length, steps };
}

/** The allow distance for a gallery of `embeddings` enrolled embeddings under `rule`. */
export function allowDistanceFor(rule: OpenSetRule, embeddings: number): number {
  const step = rule.steps.find((s) => s.embeddings >= embeddings) ?? rule.steps.at(-1)!;
  return step.allowDistance;
}

export interface OpenSetCheckOptions {
  /** Numbers of enrolled people (one embedding each). */
  readonly gallerySizes: readonly number[];
  readonly splits: number;
  readonly seed: number;
}

export interface OpenSetCheck {
  readonly people: number;
  readonly allowDistance: number;
  readonly strangers: number;
  /** Share of strangers allowed (their nearest enrolled embedding within the allow distance). */
  readonly strangerFalseAllow: number;
  readonly genuine: number;
  /** Share of enrolled people's other photographs allowed as themselves. */
  readonly correctAllow: number;
  /** Share allowed as someone else. */
  readonly wrongPersonAllow: number;
}

/**
 * The rule on simulated galleries of the calibration people, as the deployed service would meet them:
 * per split, `people` random people enrolled from their first image, their second image a genuine
 * probe, every other person's first image a stranger. Rates pooled over the splits.
 */
export function checkOpenSet(embeddings: readonly LabelledEmbedding[], rule: OpenSetRule, options: OpenSetCheckOptions): OpenSetCheck[] {
  const byPerson = new Map<number, LabelledEmbedding[]>();
  for (const e of embeddings) byPerson.set(e.person, [...(byPerson.get(e.person) ?? []), e]);
  const people = [...byPerson.keys()].filter((p) => byPerson.get(p)!.length >= 2).sort((a, b) => a - b);
  const generator = new Generator(options.seed);
  return options.gallerySizes.map((size) => {
    if (!(size >= 1 && size < people.length)) throw new ValueError(`checkOpenSet: a gallery of ${size} people needs strangers besides it, and there are ${people.length} people with two images`);
    const allowDistance = allowDistanceFor(rule, size);
    const counts = { strangers: 0, strangerAllowed: 0, genuine: 0, correct: 0, wrong: 0 };
    for (let split = 0; split < options.splits; split++) {
      const order = generator.shuffle([...people]);
      const gallery = new Gallery(embeddings[0]!.embedding.length);
      for (const person of order.slice(0, size)) gallery.add(person, byPerson.get(person)![0]!.embedding);
      for (const person of order.slice(0, size)) {
        const match = gallery.nearest(byPerson.get(person)![1]!.embedding)!;
        counts.genuine++;
        if (match.distance <= allowDistance) counts[match.personId === person ? 'correct' : 'wrong']++;
      }
      for (const person of order.slice(size)) {
        counts.strangers++;
        if (gallery.nearest(byPerson.get(person)![0]!.embedding)!.distance <= allowDistance) counts.strangerAllowed++;
      }
    }
    return {
      people: size,
      allowDistance,
      strangers: counts.strangers,
      strangerFalseAllow: counts.strangerAllowed / counts.strangers,
      genuine: counts.genuine,
      correctAllow: counts.correct / counts.genuine,
      wrongPersonAllow: counts.wrong / counts.genuine,
    };
  });
}
