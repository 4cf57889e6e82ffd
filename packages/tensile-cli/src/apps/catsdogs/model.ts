/**
 * The cats-vs-dogs CNN in the spirit of Shiddieqy et al.'s TFLearn network (stacked 3×3 conv/pool
 * stages on a 50×50 gray input, a dense layer with dropout, two-way softmax), preceded by
 * augmentation that acts only in training: horizontal flips, small rotations, zooms and shifts,
 * drawn per image and applied as one resampling (RandomAffine), optionally brightness and contrast changes and random erasing. Each stage has one or more 3×3 convolutions, optionally batch-normalised
 * (conv → BN → ReLU; the int8 quantiser folds BN into the conv).
 */
import { Activation, BatchNormalization, Conv2D, Dense, Dropout, type FillMode, Flatten, GlobalAveragePooling2D, type Layer, MaxPool2D, RandomAffine, RandomBrightness, RandomContrast, RandomErasing, Sequential } from 'tensile';
import { channelsOf, type ImageGeometry } from './images.node.js';

export interface CnnShape {
  /** Filters of each conv/pool stage (default 16, 32, 64). */
  readonly filters?: readonly number[];
  /** 3×3 convolutions per stage (default 1). */
  readonly convsPerStage?: number;
  /** Batch normalisation after each convolution (conv → BN → ReLU; default off). */
  readonly batchNorm?: boolean;
  /**
   * How the last stage's feature maps reach the dense layer: all of them flattened (default), or
   * each channel's global average (`gap`: far fewer dense weights, no dependence on position).
   */
  readonly head?: CnnHead;
  /** Units of the hidden dense layer (default 128). */
  readonly units?: number;
  /** Dropout before the output layer (default 0.3). */
  readonly dropout?: number;
}

export const CNN_HEADS = ['flatten', 'gap'] as const;
export type CnnHead = (typeof CNN_HEADS)[number];

/** The network a shape asks for, the defaults where it did not say. */
export function cnnShapeOf(asked: CnnShape): Required<CnnShape> {
  return {
    filters: asked.filters ?? [16, 32, 64], convsPerStage: asked.convsPerStage ?? 1, batchNorm: asked.batchNorm ?? false,
    head: asked.head ?? 'flatten', units: asked.units ?? 128, dropout: asked.dropout ?? 0.3,
  };
}

/**
 * Training augmentation: rotations up to ±`rotation`·360°, zooms and shifts up to ±`shift` of the
 * side, pixels from outside the photo filled as `fillMode` says; then brightness shifts up to
 * ±`brightness` of the pixel range and contrast factors within 1 ± `contrast` (0: none).
 */
export interface Augmentation {
  readonly rotation: number;
  readonly shift: number;
  readonly fillMode: FillMode;
  readonly brightness: number;
  readonly contrast: number;
  /**
   * Share of photos with one random rectangle blacked out (random erasing; 0: none). Black, not
   * noise: with uniform-noise rectangles the network collapsed to chance within the first epoch.
   */
  readonly erasing: number;
}

export const DEFAULT_AUGMENTATION: Augmentation = { rotation: 0.03, shift: 0.08, fillMode: 'constant', brightness: 0, contrast: 0, erasing: 0 };

/** The augmentation a run asked for, the defaults where it did not say. */
export function augmentationOf(asked: Partial<Augmentation>): Augmentation {
  const { rotation, shift, fillMode, brightness, contrast, erasing } = DEFAULT_AUGMENTATION;
  return {
    rotation: asked.rotation ?? rotation, shift: asked.shift ?? shift, fillMode: asked.fillMode ?? fillMode,
    brightness: asked.brightness ?? brightness, contrast: asked.contrast ?? contrast, erasing: asked.erasing ?? erasing,
  };
}

/** The pixel-value layers a run asked for (after the resampling); pixels are in [0, 1]. */
function pixelAugmentation({ brightness, contrast, erasing }: Augmentation): Layer[] {
  const valueRange = [0, 1] as const;
  return [
    ...(brightness > 0 ? [new RandomBrightness({ factor: brightness, valueRange })] : []),
    ...(contrast > 0 ? [new RandomContrast({ factor: contrast, valueRange })] : []),
    ...(erasing > 0 ? [new RandomErasing({ probability: erasing, value: 0 })] : []),
  ];
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
      new RandomAffine({ horizontalFlip: true, rotation: augmentation.rotation, zoom: augmentation.shift, translation: augmentation.shift, fillMode: augmentation.fillMode }),
      ...pixelAugmentation(augmentation),
      ...stages,
      shape.head === 'gap' ? new GlobalAveragePooling2D() : new Flatten(),
      new Dense({ units: shape.units, activation: 'relu' }),
      new Dropout({ rate: shape.dropout }),
      new Dense({ units: 2 }),
    ],
    { name: 'cats_dogs_cnn', inputShape: [geometry.size, geometry.size, channelsOf(geometry)] },
  );
}
