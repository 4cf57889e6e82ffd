import { ValueError } from '../errors.js';

/** Pixel storage: 8-bit as decoded, or float after normalisation. */
export type PixelArray = Uint8Array | Float32Array;

/**
 * A decoded image: `height × width × channels` pixels, row-major, channels interleaved (HWC).
 * Channels are 1 (gray), 3 (RGB) or 4 (RGBA). A batch of images becomes an NHWC tensor.
 */
export class RawImage<P extends PixelArray = Uint8Array> {
  constructor(
    readonly data: P,
    readonly width: number,
    readonly height: number,
    readonly channels: number,
  ) {
    if (data.length !== width * height * channels) {
      throw new ValueError(`RawImage: ${data.length} values do not fill ${height}×${width}×${channels}`);
    }
  }

  /** `[height, width, channels]`, the HWC shape of one image. */
  get shape(): [number, number, number] {
    return [this.height, this.width, this.channels];
  }
}
