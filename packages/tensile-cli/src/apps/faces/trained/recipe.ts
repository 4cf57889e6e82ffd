/** The training recipe of the embedding network, kept in the model file. */
import { type ChipJitter, TRAINING_JITTER } from './face-chip.js';

export interface EmbedderRecipe {
  readonly epochs: number;
  readonly batchSize: number;
  /** AdamW's peak rate, reached after the warm-up, then cosine decay to 1% of it over the run. */
  readonly learningRate: number;
  readonly warmupSteps: number;
  readonly weightDecay: number;
  /** CosFace's s and m. */
  readonly scale: number;
  readonly margin: number;
  /** At most this many images of one person per epoch. */
  readonly capPerPerson: number;
  /** People held out of training; verification pairs among them choose the threshold and validate. */
  readonly validationPeople: number;
  readonly jitter: ChipJitter;
}

export const DEFAULT_RECIPE: EmbedderRecipe = {
  epochs: 18,
  batchSize: 64,
  learningRate: 2e-3,
  warmupSteps: 150,
  weightDecay: 0.05,
  scale: 30,
  margin: 0.35,
  capPerPerson: 20,
  validationPeople: 150,
  jitter: TRAINING_JITTER,
};
