/**
 * The three detectors trained by `tensile ids train`, with their settings. The settings were fixed
 * before any run on the test files: common defaults for tabular MLPs (Adam 1e-3, batch 256, two
 * hidden layers, dropout 0.2) and for GANs (Adam 2e-4 with β1 0.5 for G, one-sided smoothing,
 * feature matching); epochs come from early stopping on the validation split.
 */
import type { DetectorArchitecture } from './network.js';

export const VARIANTS = ['gan', 'mlp', 'logreg'] as const;
export type Variant = (typeof VARIANTS)[number];

export interface VariantSettings {
  readonly architecture: DetectorArchitecture;
  readonly learningRate: number;
  readonly batchSize: number;
  readonly maxEpochs: number;
  readonly patience: number;
  readonly labelSmoothing: number;
}

export interface GanSettings {
  /**
   * `feature-matching`: G matches the mean of D's last hidden layer on real normal records;
   * `non-saturating`: G maximises log D(normal | fake), the usual GAN generator loss.
   */
  readonly generatorLoss: 'feature-matching' | 'non-saturating';
  readonly noiseSize: number;
  readonly generatorHidden: readonly number[];
  readonly generatorLearningRate: number;
  /** Fake records per real record in each discriminator batch. */
  readonly fakeFraction: number;
  /** Weight of the fake records' loss term in the discriminator loss. */
  readonly fakeWeight: number;
}

const MLP: VariantSettings = {
  architecture: { hidden: [128, 64], dropout: 0.2 },
  learningRate: 1e-3,
  batchSize: 256,
  maxEpochs: 12,
  patience: 3,
  labelSmoothing: 0.1,
};

export const VARIANT_SETTINGS: Readonly<Record<Variant, VariantSettings>> = {
  // D has exactly the MLP's architecture and optimiser, so any difference comes from the adversarial training.
  gan: { ...MLP, maxEpochs: 10, patience: 2 },
  mlp: MLP,
  logreg: { architecture: { hidden: [], dropout: 0 }, learningRate: 5e-3, batchSize: 256, maxEpochs: 12, patience: 3, labelSmoothing: 0 },
};

export const GAN_SETTINGS: GanSettings = {
  generatorLoss: 'feature-matching',
  noiseSize: 32,
  generatorHidden: [64, 128],
  generatorLearningRate: 2e-4,
  fakeFraction: 0.5,
  // Chosen on the validation split among 1 and 0.2, and against the non-saturating loss (docs/ids/design-study.md).
  fakeWeight: 0.2,
};

export function isVariant(value: string): value is Variant {
  return (VARIANTS as readonly string[]).includes(value);
}
