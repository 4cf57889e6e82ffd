/**
 * The embedding network trained here: a VGG-style CNN with batch normalisation on a 96×96 RGB face chip,
 * four stages of 3×3 convolutions (the first strided, each later one closed by a 2×2 max-pool: 96 → 48 →
 * 24 → 12 → 6), then the 6×6 map flattened into a 128-unit linear layer and batch-normalised, as
 * ArcFace's "BN-dropout-FC-BN" output keeps the spatial layout of the face that a global pool would blur.
 * The embedding is that output made unit-length (l2Normalize), outside the network.
 *
 * In training only, the network flips each face horizontally at random and jitters its brightness and
 * contrast (the geometric jitter — shift and scale — is drawn when the chip is cut, see face-chip.ts).
 */
import { Activation, BatchNormalization, Conv2D, Dense, Dropout, Flatten, type Layer, MaxPool2D, RandomBrightness, RandomContrast, RandomFlip, Sequential } from 'tensile';

export interface EmbedderNetConfig {
  /** Side of the square RGB input chip. */
  readonly inputSize: number;
  /** Filters of the four stages. */
  readonly filters: readonly [number, number, number, number];
  /** Length of the embedding. */
  readonly embeddingSize: number;
  /** Dropout before the embedding layer, in training. */
  readonly dropout: number;
}

export const DEFAULT_NET: EmbedderNetConfig = { inputSize: 96, filters: [32, 48, 96, 128], embeddingSize: 128, dropout: 0.2 };

/** Brightness shifts up to ±12% of the pixel range and contrast factors in [0.7, 1.3]. */
const BRIGHTNESS = 0.12;
const CONTRAST = 0.3;

/** conv → BN → ReLU, its layers named after `name` so that every network built has the same weight names. */
function convBnRelu(name: string, filters: number, strides = 1): Layer[] {
  // Momentum 0.9: the running statistics follow the weights within a few dozen steps (see catsdogs/model.ts).
  return [
    new Conv2D({ name: `${name}_conv`, filters, kernelSize: 3, strides, padding: 'same', useBias: false }),
    new BatchNormalization({ name: `${name}_bn`, momentum: 0.9 }),
    new Activation({ name: `${name}_relu`, activation: 'relu' }),
  ];
}

/** The network from its config; `seed` seeds its augmentation draws. Pixels go in scaled to [0, 1]. */
export function embedderNet(config: EmbedderNetConfig, seed = 0): Sequential {
  const [f1, f2, f3, f4] = config.filters;
  return new Sequential(
    [
      new RandomFlip({ name: 'flip', mode: 'horizontal', seed }),
      new RandomBrightness({ name: 'brightness', factor: BRIGHTNESS, valueRange: [0, 1], seed: seed + 1 }),
      new RandomContrast({ name: 'contrast', factor: CONTRAST, valueRange: [0, 1], seed: seed + 2 }),
      ...convBnRelu('stage1a', f1, 2),
      ...convBnRelu('stage1b', f1),
      new MaxPool2D({ name: 'pool1', poolSize: 2 }),
      ...convBnRelu('stage2a', f2),
      ...convBnRelu('stage2b', f2),
      new MaxPool2D({ name: 'pool2', poolSize: 2 }),
      ...convBnRelu('stage3a', f3),
      ...convBnRelu('stage3b', f3),
      new MaxPool2D({ name: 'pool3', poolSize: 2 }),
      ...convBnRelu('stage4', f4),
      new Flatten({ name: 'flatten' }),
      new Dropout({ name: 'dropout', rate: config.dropout }),
      new Dense({ name: 'embedding', units: config.embeddingSize, useBias: false }),
      new BatchNormalization({ name: 'embedding_bn', momentum: 0.9 }),
    ],
    { name: 'face_embedder', inputShape: [config.inputSize, config.inputSize, 3] },
  );
}
