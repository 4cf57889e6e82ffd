/**
 * The demo's digits: a gray PNG sprite of 28×28 tiles, `columns` per row, training digits first and
 * then test digits, with their labels in `digits.json`. Written by `tensile demo` from the data root.
 */
export interface DigitSpriteIndex {
  readonly columns: number;
  readonly trainCount: number;
  readonly testCount: number;
  /** One label (0–9) per tile, in tile order. */
  readonly labels: readonly number[];
}

export const DIGIT_SIZE = 28;
export const SPRITE_COLUMNS = 100;

/** The demo model's training settings, shared by the page and the Node comparison run. */
export const DEMO_BATCH_SIZE = 64;
export const DEMO_LEARNING_RATE = 3e-3;
