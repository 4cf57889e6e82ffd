/** What a `tensile faces orl` run measured: results.json, from which report.md is written. */
import type { ClassifierRecipe } from './classifier.js';
import type { PerturbationKind } from './perturbations.js';

/** Accuracy over the seeds at one perturbation strength. */
export interface RobustnessPoint {
  readonly kind: PerturbationKind;
  readonly unit: string;
  /** 1, 2, 3: the perturbation's strengths, weakest first. */
  readonly level: number;
  readonly strength: number;
  readonly accuracies: readonly number[];
  readonly mean: number;
  readonly std: number;
}

export interface MethodResult {
  readonly method: string;
  /** Accuracy per seed on the clean scored photographs. */
  readonly accuracies: readonly number[];
  readonly mean: number;
  readonly std: number;
  readonly robustness: readonly RobustnessPoint[];
  readonly seconds: number;
}

export interface OrlResults {
  readonly protocol: 'test' | 'validation';
  readonly command: string;
  readonly machine: string;
  readonly seeds: readonly number[];
  readonly people: number;
  readonly trainPerPerson: number;
  readonly scoredPerPerson: number;
  readonly classifier: (MethodResult & { readonly recipe: ClassifierRecipe }) | null;
  readonly embedder: (MethodResult & { readonly kind: string; readonly enrolment: string }) | null;
  readonly perturbations: readonly { readonly kind: PerturbationKind; readonly unit: string; readonly strengths: readonly number[] }[];
  readonly seconds: number;
}
