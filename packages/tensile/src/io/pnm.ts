/**
 * Netpbm gray and color maps: PGM (P2 text, P5 binary) and PPM (P3 text, P6 binary), the format of
 * the ORL faces. 16-bit files (maxval > 255) are reduced to 8 bits; other maxvals are rescaled to 0..255.
 */
import { DataError } from './errors.js';
import { checkDeclaredSize, type DataLimits } from './limits.js';
import { RawImage } from './raw-image.js';

const CHANNELS: Readonly<Record<string, number>> = { P2: 1, P5: 1, P3: 3, P6: 3 };

/** True when `bytes` start like a PGM or PPM file. */
export function isPnm(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x50 /* P */ && [0x32, 0x33, 0x35, 0x36].includes(bytes[1]!);
}

/** Decodes a PGM/PPM file; data beyond the declared pixels is refused like data missing from them. */
export function decodePnm(bytes: Uint8Array, source: string, limits: DataLimits = {}): RawImage {
  const header = new HeaderReader(bytes, source);
  const magic = header.token();
  const channels = CHANNELS[magic];
  if (channels === undefined) throw new DataError(source, `not a PGM/PPM file (magic ${JSON.stringify(magic)})`, { offset: 0 });
  const widthAt = header.nextToken();
  const width = header.positiveInteger('width');
  const heightAt = header.nextToken();
  const height = header.positiveInteger('height');
  checkDeclaredSize(source, { format: channels === 1 ? 'PGM' : 'PPM', width, height, widthAt, heightAt }, limits);
  const maxval = header.positiveInteger('maxval');
  if (maxval > 65535) throw new DataError(source, `maxval ${maxval} exceeds 65535`, { offset: header.position });
  const count = width * height * channels;
  const samples = magic === 'P2' || magic === 'P3' ? header.textSamples(count) : binarySamples(bytes, header.afterSingleWhitespace(), count, maxval, source);
  if (magic === 'P2' || magic === 'P3') header.expectEnd(count);
  const pixels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const sample = samples[i]!;
    if (sample > maxval) throw new DataError(source, `sample ${i} is ${sample}, above maxval ${maxval}`);
    pixels[i] = maxval === 255 ? sample : Math.round((sample * 255) / maxval);
  }
  return new RawImage(pixels, width, height, channels);
}

function binarySamples(bytes: Uint8Array, start: number, count: number, maxval: number, source: string): ArrayLike<number> {
  const bytesPerSample = maxval > 255 ? 2 : 1;
  const needed = count * bytesPerSample;
  if (bytes.length - start < needed) {
    throw new DataError(source, `file is truncated: pixel data needs ${needed} bytes, found ${bytes.length - start}`, { offset: bytes.length });
  }
  const extra = bytes.length - start - needed;
  if (extra > 0) throw new DataError(source, `${extra} bytes after the pixel data the header declares (${needed} bytes)`, { offset: start + needed });
  if (bytesPerSample === 1) return bytes.subarray(start, start + count);
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, needed);
  return Uint16Array.from({ length: count }, (_, i) => view.getUint16(2 * i, false));
}

/** Reads whitespace-separated header tokens, skipping `#` comments. */
class HeaderReader {
  position = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly source: string,
  ) {}

  /** Where the next token starts. */
  nextToken(): number {
    this.skipSpaceAndComments();
    return this.position;
  }

  token(): string {
    this.skipSpaceAndComments();
    const start = this.position;
    while (this.position < this.bytes.length && !isSpace(this.bytes[this.position]!)) this.position++;
    if (start === this.position) throw new DataError(this.source, 'file ends inside the header', { offset: start });
    return String.fromCharCode(...this.bytes.subarray(start, this.position));
  }

  positiveInteger(what: string): number {
    const start = this.position;
    const text = this.token();
    const value = Number(text);
    if (!/^\d+$/.test(text) || value === 0) throw new DataError(this.source, `bad ${what} ${JSON.stringify(text)}`, { offset: start });
    return value;
  }

  /** Binary data starts after exactly one whitespace byte following maxval. */
  afterSingleWhitespace(): number {
    return this.position + 1;
  }

  textSamples(count: number): number[] {
    return Array.from({ length: count }, (_, i) => this.positiveOrZero(`sample ${i}`));
  }

  /** Only whitespace and comments may follow the `count` declared samples. */
  expectEnd(count: number): void {
    this.skipSpaceAndComments();
    if (this.position < this.bytes.length) throw new DataError(this.source, `more samples than the ${count} the header declares`, { offset: this.position });
  }

  private positiveOrZero(what: string): number {
    const start = this.position;
    const text = this.token();
    if (!/^\d+$/.test(text)) throw new DataError(this.source, `bad ${what} ${JSON.stringify(text)}`, { offset: start });
    return Number(text);
  }

  private skipSpaceAndComments(): void {
    const bytes = this.bytes;
    while (this.position < bytes.length) {
      const byte = bytes[this.position]!;
      if (isSpace(byte)) this.position++;
      else if (byte === 0x23 /* # */) while (this.position < bytes.length && bytes[this.position] !== 0x0a) this.position++;
      else return;
    }
  }
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}
