/**
 * The ORL identity classifier (part (a)): a small CNN on the photographs downsampled to 46×56, trained
 * on one split's training photographs with Adam, flips and small shifts, zooms and rotations.
 */
import {
  Activation, Adam, BatchNormalization, Conv2D, CosineDecay, Dense, Dropout, Flatten, type Layer, manualSeed, MaxPool2D,
  RandomAffine, type RawImage, resize, Sequential, SparseCategoricalCrossentropy, tensor, type Tensor, ValueError,
} from 'tensile';
import type { LabeledPhotos } from './split.js';

/** Input size: ORL's 92×112 halved (area averaging), which keeps the 92:112 aspect. */
export const CLASSIFIER_WIDTH = 46;
export const CLASSIFIER_HEIGHT = 56;

export interface ClassifierRecipe {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
}

/** The adopted recipe (docs/faces/orl-NOTES.md: chosen on validation photographs only). */
export const CLASSIFIER_RECIPE: ClassifierRecipe = { epochs: 100, batchSize: 20, learningRate: 2e-3 };

function convolution(filters: number): Layer[] {
  // Momentum 0.9: with 10 steps an epoch, Keras' 0.99 lets the moving statistics lag the weights (see catsdogs/model.ts).
  return [new Conv2D({ filters, kernelSize: 3, padding: 'same', useBias: false }), new BatchNormalization({ momentum: 0.9 }), new Activation({ activation: 'relu' }), new MaxPool2D({ poolSize: 2 })];
}

/** Flip · ±5° · ±5% zoom and shift → three conv-BN-ReLU-pool stages (32, 64, 128) → dropout → one logit per person. */
export function orlCnn(people: number): Sequential {
  return new Sequential(
    [
      new RandomAffine({ horizontalFlip: true, rotation: 5 / 360, zoom: 0.05, translation: 0.05 }),
      ...convolution(32),
      ...convolution(64),
      ...convolution(128),
      new Flatten(),
      new Dropout({ rate: 0.5 }),
      new Dense({ units: people }),
    ],
    { name: 'orl_cnn', inputShape: [CLASSIFIER_HEIGHT, CLASSIFIER_WIDTH, 1] },
  );
}

/** Gray photographs as the classifier's input batch, pixels in [0, 1]. */
export function classifierInput(images: readonly RawImage[]): Tensor {
  const size = CLASSIFIER_WIDTH * CLASSIFIER_HEIGHT;
  const data = new Float32Array(images.length * size);
  images.forEach((image, i) => {
    if (image.channels !== 1) throw new ValueError(`ORL classifier: photographs must be gray, got ${image.channels} channels`);
    const small = resize(image, CLASSIFIER_WIDTH, CLASSIFIER_HEIGHT, 'area');
    for (let p = 0; p < size; p++) data[i * size + p] = small.data[p]! / 255;
  });
  return tensor(data, [images.length, CLASSIFIER_HEIGHT, CLASSIFIER_WIDTH, 1]);
}

/** Trains a fresh classifier on `photos` (labels 0 … people−1), seeded. */
export async function trainClassifier(photos: LabeledPhotos, people: number, seed: number, recipe: ClassifierRecipe = CLASSIFIER_RECIPE): Promise<Sequential> {
  manualSeed(seed);
  const model = orlCnn(people);
  const steps = recipe.epochs * Math.ceil(photos.images.length / recipe.batchSize);
  model.compile({
    optimizer: new Adam({ learningRate: new CosineDecay({ initialLearningRate: recipe.learningRate, decaySteps: steps, alpha: 0.01 }) }),
    loss: new SparseCategoricalCrossentropy({ fromLogits: true }),
  });
  await model.fit(classifierInput(photos.images), tensor(Int32Array.from(photos.labels), [photos.labels.length]), { epochs: recipe.epochs, batchSize: recipe.batchSize, verbose: 0 });
  return model;
}

/** The most likely person of each photograph. */
export function classify(model: Sequential, images: readonly RawImage[]): number[] {
  const logits = model.predict(classifierInput(images), { batchSize: 100 }).dataSync();
  const people = logits.length / images.length;
  return images.map((_, i) => {
    let best = 0;
    for (let k = 1; k < people; k++) if (logits[i * people + k]! > logits[i * people + best]!) best = k;
    return best;
  });
}
