/**
 * The identity-training images (`faces-lfw-train`) are rows and columns 48–207 of 250×250 LFW
 * photographs. The service's pipeline reads photographs framed the LFW way (centred on one face that
 * fills about half of the shorter side), so a training crop is put back at its place in a 250×250
 * frame, the missing border filled by replicating the crop's edge pixels: the centre the embedder's
 * first landmark pass reads (rows and columns 62–187) is then exactly the original photograph's.
 */
import { RawImage, type Rect, ValueError } from 'tensile';
import { squareChip } from './alignment.js';
import { LFW_PHOTO_SIDE } from './trained/face-chip.js';

/** LFW's faces span about 45% of the 250-pixel frame (the Viola-Jones box the photographs are centred on). */
export const LFW_FACE_FRACTION = 0.45;

/**
 * A face box of a photograph framed as LFW frames its photographs: the 250×250 square centred on the
 * box in which the box spans `LFW_FACE_FRACTION`, resampled (bilinear; black beyond the photograph's edges).
 */
export function lfwFrameOf(photo: RawImage, box: Rect): RawImage {
  const side = Math.max(box.width, box.height) / LFW_FACE_FRACTION;
  return squareChip(photo, box.x + box.width / 2 - side / 2, box.y + box.height / 2 - side / 2, side, LFW_PHOTO_SIDE);
}

/** Where the identity-training crops start in the photograph, in both directions. */
export const LFW_TRAIN_CROP_OFFSET = 48;

export function lfwTrainPhoto(crop: RawImage): RawImage {
  const side = LFW_PHOTO_SIDE;
  const offset = LFW_TRAIN_CROP_OFFSET;
  if (crop.width + offset > side || crop.height + offset > side) {
    throw new ValueError(`lfwTrainPhoto: a ${crop.width}×${crop.height} crop at offset ${offset} does not fit a ${side}×${side} photograph`);
  }
  const channels = crop.channels;
  const out = new Uint8Array(side * side * channels);
  for (let y = 0; y < side; y++) {
    const sy = Math.min(crop.height - 1, Math.max(0, y - offset));
    for (let x = 0; x < side; x++) {
      const sx = Math.min(crop.width - 1, Math.max(0, x - offset));
      out.set(crop.data.subarray((sy * crop.width + sx) * channels, (sy * crop.width + sx + 1) * channels), (y * side + x) * channels);
    }
  }
  return new RawImage(out, side, side, channels);
}
