/** The detector's training recipe; DETECTOR_RECIPE is the one adopted on held-out training data (docs/faces/NOTES.md). */
export interface DetectorRecipe {
  /** HOG cell side in pixels; the 36-pixel window is 36 / cellSize cells wide. */
  readonly cellSize: number;
  /** L2 strength λ of the SVM (λ = 1/(C·n)). */
  readonly lambda: number;
  /** Pyramid levels per halving of the image size. */
  readonly levelsPerOctave: number;
  /** Random non-face windows before mining. */
  readonly initialNegatives: number;
  /** Mining stops after this many rounds even if the mined set still grows. */
  readonly maxMiningRounds: number;
  /** A round adding fewer new windows than this fraction of the negatives ends mining. */
  readonly miningStopFraction: number;
  /** Hardest windows kept per scene per round. */
  readonly minedPerScene: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
}

/** Side of the training crops and of the detection window, in pixels. */
export const WINDOW_PIXELS = 36;

export const DETECTOR_RECIPE: DetectorRecipe = {
  cellSize: 6,
  lambda: 1e-3,
  levelsPerOctave: 7,
  initialNegatives: 10_000,
  maxMiningRounds: 4,
  miningStopFraction: 0.02,
  minedPerScene: 50,
  epochs: 15,
  batchSize: 512,
  learningRate: 0.01,
};
