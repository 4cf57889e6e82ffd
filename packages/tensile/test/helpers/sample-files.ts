/**
 * Small, valid files of every format the readers take, written by the same third-party encoders
 * users' tools rely on (pngjs, jpeg-js, fast-bmp, omggif) or by hand for the simple formats, so the
 * bad-input tests and the fuzz suite start from known-good bytes without binary fixtures.
 */
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { encode as encodeBmp } from 'fast-bmp';
import { GifWriter } from 'omggif';

export const SAMPLE_WIDTH = 12;
export const SAMPLE_HEIGHT = 10;

function rgbPixels(width = SAMPLE_WIDTH, height = SAMPLE_HEIGHT): Uint8Array {
  return Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 37 + (i % 7) * 11) % 256);
}

export function samplePng(width = SAMPLE_WIDTH, height = SAMPLE_HEIGHT): Uint8Array {
  const png = new PNG({ width, height });
  const rgb = rgbPixels(width, height);
  for (let p = 0; p < width * height; p++) {
    png.data.set(rgb.subarray(3 * p, 3 * p + 3), 4 * p);
    png.data[4 * p + 3] = 255;
  }
  return new Uint8Array(PNG.sync.write(png, { colorType: 2 }));
}

export function sampleJpeg(width = SAMPLE_WIDTH, height = SAMPLE_HEIGHT): Uint8Array {
  const rgb = rgbPixels(width, height);
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) rgba.set([rgb[3 * p]!, rgb[3 * p + 1]!, rgb[3 * p + 2]!, 255], 4 * p);
  return new Uint8Array(jpeg.encode({ data: rgba, width, height }, 90).data);
}

export function sampleBmp(width = SAMPLE_WIDTH, height = SAMPLE_HEIGHT): Uint8Array {
  return encodeBmp({ width, height, data: rgbPixels(width, height), channels: 3, components: 3, bitsPerPixel: 24 });
}

export function sampleGif(width = SAMPLE_WIDTH, height = SAMPLE_HEIGHT): Uint8Array {
  const buffer = new Uint8Array(4096 + width * height * 2);
  const writer = new GifWriter(buffer, width, height, { palette: [0x000000, 0xff0000, 0x00ff00, 0x0000ff] });
  writer.addFrame(0, 0, width, height, Array.from({ length: width * height }, (_, i) => (i * 7) % 4));
  return buffer.slice(0, writer.end());
}

export function samplePgm(width = SAMPLE_WIDTH, height = SAMPLE_HEIGHT): Uint8Array {
  const header = new TextEncoder().encode(`P5\n# sample\n${width} ${height}\n255\n`);
  const out = new Uint8Array(header.length + width * height);
  out.set(header);
  for (let i = 0; i < width * height; i++) out[header.length + i] = (i * 13) % 256;
  return out;
}

/** An IDX file of uint8 values with the given shape. */
export function sampleIdx(shape: readonly number[] = [3, 4, 5]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(4 + 4 * shape.length + count);
  const view = new DataView(out.buffer);
  out.set([0, 0, 0x08, shape.length]);
  shape.forEach((size, axis) => view.setInt32(4 + 4 * axis, size, false));
  for (let i = 0; i < count; i++) out[4 + 4 * shape.length + i] = (i * 31) % 256;
  return out;
}

export function sampleCsv(): Uint8Array {
  return new TextEncoder().encode('x,y,name\n1,2,"a, b"\n3.5,-4,"say ""hi"""\n5,6,é\n');
}

/** A ustar archive holding `files` (name → bytes), with header checksums and the end-of-archive blocks. */
export function sampleTar(files: Readonly<Record<string, Uint8Array>> = { 'a/one.txt': new TextEncoder().encode('first file\n'), 'b/two.bin': Uint8Array.from({ length: 700 }, (_, i) => i % 251) }): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (const [name, data] of Object.entries(files)) {
    const header = new Uint8Array(512);
    const put = (text: string, at: number): void => header.set(new TextEncoder().encode(text), at);
    put(name, 0);
    put('0000644\0', 100);
    put('0000000\0', 108);
    put('0000000\0', 116);
    put(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
    put('00000000000\0', 136);
    put('0', 156);
    put('ustar\0', 257);
    put('00', 263);
    header.fill(0x20, 148, 156);
    const sum = header.reduce((a, b) => a + b, 0);
    put(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(header, data, new Uint8Array((512 - (data.length % 512)) % 512));
  }
  blocks.push(new Uint8Array(1024));
  const out = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const block of blocks) {
    out.set(block, at);
    at += block.length;
  }
  return out;
}
