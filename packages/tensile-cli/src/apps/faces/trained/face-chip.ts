/**
 * The documented centre crop: an LFW photograph (250×250, centred on the face its Viola-Jones detector
 * found) shows the face from brow to chin in a ~110×110 square at its centre, so the network sees that
 * square, resampled to 96×96. The training images are rows and columns 48–207 of the photographs, whose
 * centre is pixel 128 of 250, so the square is centred there — 3 pixels right of and below the photo's
 * centre — in training and when embedding: for any photograph framed the LFW way, a square of 44% of the
 * shorter side centred at 51.2% of the width and of the height. In training the square is jittered: its
 * side scaled by up to ±`scale` and its centre shifted by up to ±`shift` of the side, drawn per image.
 */
import { type Generator, RawImage, toRgb } from 'tensile';
import { squareChip } from '../alignment.js';

/** Side of an LFW photograph, and of the face square inside it. */
export const LFW_PHOTO_SIDE = 250;
export const LFW_FACE_SIDE = 110;
/** The face square as a fraction of an LFW-framed photograph's shorter side. */
export const FACE_FRACTION = LFW_FACE_SIDE / LFW_PHOTO_SIDE;
/** The centre of the training crops (rows and columns 48–207) in the photograph, as a fraction of its sides. */
export const FACE_CENTRE_FRACTION = 128 / LFW_PHOTO_SIDE;

export interface ChipJitter {
  /** Largest relative change of the square's side (e.g. 0.08: ×0.92 … ×1.08). */
  readonly scale: number;
  /** Largest shift of the square's centre, as a fraction of its side. */
  readonly shift: number;
}

export const TRAINING_JITTER: ChipJitter = { scale: 0.08, shift: 0.06 };

/**
 * The `size`×`size` chip of the face square of side `faceSide` pixels centred at `centre` (default the
 * centre of `image`, as in the training crops), jittered when a generator is given.
 */
export function faceChip(
  image: RawImage,
  faceSide: number,
  size: number,
  jitter?: { readonly generator: Generator; readonly amount: ChipJitter },
  centre: { readonly x: number; readonly y: number } = { x: image.width / 2, y: image.height / 2 },
): RawImage {
  let side = faceSide;
  let cx = centre.x;
  let cy = centre.y;
  if (jitter) {
    const { generator, amount } = jitter;
    side *= 1 + amount.scale * (2 * generator.random() - 1);
    cx += side * amount.shift * (2 * generator.random() - 1);
    cy += side * amount.shift * (2 * generator.random() - 1);
  }
  return squareChip(image, cx - side / 2, cy - side / 2, side, size);
}

/**
 * The RGB chip of a photograph framed the LFW way: the face square is `faceFraction` (default FACE_FRACTION)
 * of its shorter side, centred where the training crops are (FACE_CENTRE_FRACTION of each side).
 */
export function centredFaceChip(image: RawImage, size: number, faceFraction = FACE_FRACTION): RawImage {
  const rgb = toRgb(image);
  return faceChip(rgb, faceFraction * Math.min(rgb.width, rgb.height), size, undefined, { x: FACE_CENTRE_FRACTION * rgb.width, y: FACE_CENTRE_FRACTION * rgb.height });
}

/** Chips as one float batch [n, size, size, 3] with pixels scaled to [0, 1]. */
export function chipBatch(chips: readonly RawImage[], size: number): Float32Array {
  const data = new Float32Array(chips.length * size * size * 3);
  chips.forEach((chip, i) => {
    const offset = i * size * size * 3;
    for (let k = 0; k < chip.data.length; k++) data[offset + k] = chip.data[k]! / 255;
  });
  return data;
}
