/**
 * The cats-vs-dogs CNN in the spirit of Shiddieqy et al.'s TFLearn network (stacked 3×3 conv/pool
 * stages on a 50×50 gray input, a dense layer with dropout, two-way softmax), preceded by
 * augmentation that acts only in training: horizontal flips, small rotations, zooms and shifts,
 * drawn per image and applied as one resampling (RandomAffine). Each stage has one or more 3×3
 * convolutions, optionally batch-normalised (conv → BN → ReLU; the int8 quantiser folds BN into the conv).
 */
import { Activation, BatchNormalization, Conv2D, Dense, Dropout, Flatten, type Layer, MaxPool2D, RandomAffine, Sequential } from 'tensile';
import { channelsOf, type ImageGeometry } from './images.node.js';

export interface CnnShape {
  /** Filters of each conv/pool stage (default 16, 32, 64). */
  readonly filters?: readonly number[];
  /** 3×3 convolutions per stage (default 1). */
  readonly convsPerStage?: number;
  /** Batch normalisation after each convolution (conv → BN → ReLU; default off). */
  readonly batchNorm?: boolean;
  /** Units of the hidden dense layer (default 128). */
  readonly units?: number;
  /** Dropout before the output layer (default 0.3). */
  readonly dropout?: number;
}

/** The network a shape asks for, the defaults where it did not say. */
export function cnnShapeOf(asked: CnnShape): Required<CnnShape> {
  return {
    filters: asked.filters ?? [16, 32, 64], convsPerStage: asked.convsPerStage ?? 1, batchNorm: asked.batchNorm ?? false,
    units: asked.units ?? 128, dropout: asked.dropout ?? 0.3,
  };
}

/**
 * Training augmentation: rotations up to ±`rotation`·360°, zooms and shifts up to ±`shift` of the
 * side (0: none); pixels from outside the photo are black.
 */
export interface Augmentation {
  readonly rotation: number;
  readonly shift: number;
}

export const DEFAULT_AUGMENTATION: Augmentation = { rotation: 0.03, shift: 0.08 };

/** The augmentation a run asked for, the defaults where it did not say. */
export function augmentationOf(asked: Partial<Augmentation>): Augmentation {
  return { rotation: asked.rotation ?? DEFAULT_AUGMENTATION.rotation, shift: asked.shift ?? DEFAULT_AUGMENTATION.shift };
}

function convolution(filters: number, batchNorm: boolean): Layer[] {
  if (!batchNorm) return [new Conv2D({ filters, kernelSize: 3, padding: 'same', activation: 'relu' })];
  // Momentum 0.9, not Keras' 0.99: with ~50 steps an epoch the slower moving statistics lag the
  // changing weights, and inference-mode accuracy fell to chance while training accuracy rose.
  return [new Conv2D({ filters, kernelSize: 3, padding: 'same', useBias: false }), new BatchNormalization({ momentum: 0.9 }), new Activation({ activation: 'relu' })];
}

export function catsDogsCnn(geometry: ImageGeometry, asked: CnnShape = {}, augmentation: Augmentation = DEFAULT_AUGMENTATION): Sequential {
  const shape = cnnShapeOf(asked);
  const stages = shape.filters.flatMap((filters): Layer[] => [
    ...Array.from({ length: shape.convsPerStage }, () => convolution(filters, shape.batchNorm)).flat(),
    new MaxPool2D({ poolSize: 2 }),
  ]);
  return new Sequential(
    [
      new RandomAffine({ horizontalFlip: true, rotation: augmentation.rotation, zoom: augmentation.shift, translation: augmentation.shift }),
      ...stages,
      new Flatten(),
      new Dense({ units: shape.units, activation: 'relu' }),
      new Dropout({ rate: shape.dropout }),
      new Dense({ units: 2 }),
    ],
    { name: 'cats_dogs_cnn', inputShape: [geometry.size, geometry.size, channelsOf(geometry)] },
  );
}
