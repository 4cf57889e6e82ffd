/**
 * The detectors trained by `tensile ids train`, with their settings. The settings were fixed
 * before any run on the test files: common defaults for tabular MLPs (Adam 1e-3, batch 256, two
 * hidden layers, dropout 0.2) and for GANs (Adam 2e-4 with β1 0.5 for G, one-sided smoothing,
 * feature matching); epochs come from early stopping on the validation split. `combined` (issue
 * #29) adds an anomaly GAN trained on normal records only to the MLP (docs/ids/NOTES.md).
 */
import type { DetectorArchitecture } from './network.js';
import type { HeldOutRule } from './split.js';

export const VARIANTS = ['gan', 'mlp', 'logreg', 'combined'] as const;
export type Variant = (typeof VARIANTS)[number];

export interface VariantSettings {
  readonly architecture: DetectorArchitecture;
  readonly learningRate: number;
  readonly batchSize: number;
  readonly maxEpochs: number;
  readonly patience: number;
  readonly labelSmoothing: number;
  /** How the validation split picks the attack types held out of training (split.ts). */
  readonly heldOut: { readonly rule: HeldOutRule; readonly minRecords: number };
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
  heldOut: { rule: 'rarest-type', minRecords: 50 },
};

export const VARIANT_SETTINGS: Readonly<Record<Variant, VariantSettings>> = {
  // D has exactly the MLP's architecture and optimiser, so any difference comes from the adversarial training.
  gan: { ...MLP, maxEpochs: 10, patience: 2 },
  mlp: MLP,
  logreg: { ...MLP, architecture: { hidden: [], dropout: 0 }, learningRate: 5e-3, labelSmoothing: 0 },
  // The supervised part of the combined detector is the MLP, fitted without more attack types.
  combined: { ...MLP, heldOut: { rule: 'leave-types-out', minRecords: 20 } },
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

/** The anomaly part of the combined detector: a GAN that learns to reconstruct normal records only. */
export interface AnomalySettings {
  readonly codeSize: number;
  readonly encoderHidden: readonly number[];
  readonly generatorHidden: readonly number[];
  readonly discriminator: DetectorArchitecture;
  readonly learningRate: number;
  readonly batchSize: number;
  readonly maxEpochs: number;
  readonly patience: number;
  /** Weight of the discriminator-feature distance, in E/G's loss and in the anomaly score (AnoGAN's λ). */
  readonly featureWeight: number;
}

export const ANOMALY_SETTINGS: AnomalySettings = {
  codeSize: 16,
  encoderHidden: [64],
  generatorHidden: [64],
  discriminator: { hidden: [64, 32], dropout: 0 },
  learningRate: 1e-3,
  batchSize: 256,
  maxEpochs: 10,
  patience: 2,
  featureWeight: 0.1,
};

export function isVariant(value: string): value is Variant {
  return (VARIANTS as readonly string[]).includes(value);
}
