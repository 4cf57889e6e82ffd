/** The bad inputs of issue #28, each refused with a DataError naming the file and a place in it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { GifReader } from 'omggif';
import { DataError } from '../../src/io/errors.js';
import { decodeImage } from '../../src/io/image.js';
import '../../src/io/png.node.js';
import { parseIdx, readIdx } from '../../src/io/idx.js';
import { gunzip } from '../../src/io/gzip.js';
import { setDataLimits } from '../../src/io/limits.js';
import { decodeUtf8, parseCsvRows, readCsv } from '../../src/io/csv.js';
import { crc32 } from '../../src/saving/crc32.js';
import { sampleBmp, sampleGif, sampleIdx, sampleJpeg, samplePgm, samplePng } from '../helpers/sample-files.js';

/** Asserts a DataError whose message names `file`, matches `pattern`, and has no negative or infinite offset. */
function assertDataError(fn: () => unknown, file: string, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof DataError, `expected a DataError, got ${String(error)}`);
    assert.ok(error.message.startsWith(file), error.message);
    assert.match(error.message, pattern);
    assert.doesNotMatch(error.message, /byte -|Infinity|NaN/);
    return true;
  });
}

async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

async function assertRejectsData(promise: Promise<unknown>, file: string, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof DataError, `expected a DataError, got ${String(error)}`);
    assert.ok(error.message.startsWith(file), error.message);
    assert.match(error.message, pattern);
    return true;
  });
}

test('IDX: a negative dimension is refused at its header field, never reported at a negative byte', () => {
  const bytes = sampleIdx([50, 28, 28]);
  new DataView(bytes.buffer).setInt32(4, -50, false);
  new DataView(bytes.buffer).setInt32(8, -28, false);
  assertDataError(() => parseIdx(bytes, 'neg.idx'), 'neg.idx at byte 4', /dimension 0 is -50/);
  const huge = sampleIdx([2, 2]);
  new DataView(huge.buffer).setInt32(4, 0x7fffffff, false);
  new DataView(huge.buffer).setInt32(8, 0x7fffffff, false);
  assertDataError(() => parseIdx(huge, 'huge.idx'), 'huge.idx at byte 16', /truncated/);
});

test('CSV: an empty file, an unterminated quote and invalid UTF-8 are errors with line or byte', async () => {
  const types = { x: 'number' } as const;
  await assertRejectsData(collect(readCsv('', { source: 'empty.csv', types })), 'empty.csv line 1', /empty/);
  await assertRejectsData(collect(readCsv('x\n1\n"2\n', { source: 'open.csv', types })), 'open.csv line 3', /unterminated quote/);
  await assertRejectsData(collect(parseCsvRows('a,b\n"c,d', { source: 'rows.csv' })), 'rows.csv line 2', /unterminated quote/);
  const bad = new TextEncoder().encode('x\n1\n2\n');
  const withInvalid = new Uint8Array([...bad.subarray(0, 4), 0xff, ...bad.subarray(4)]);
  // Split so the invalid byte sits in the second chunk: the offset counts bytes of earlier chunks.
  await assertRejectsData(collect(decodeUtf8([withInvalid.subarray(0, 3), withInvalid.subarray(3)], 'bad.csv')), 'bad.csv at byte 4', /invalid UTF-8/);
  const cutSequence = new Uint8Array([0x78, 0x0a, 0xc3]); // 'x\n' then the first byte of 'é'
  await assertRejectsData(collect(decodeUtf8([cutSequence], 'cut.csv')), 'cut.csv at byte 2', /invalid UTF-8/);
  assert.deepEqual(await collect(decodeUtf8([new Uint8Array([0x78, 0xc3]), new Uint8Array([0xa9])], 'ok.csv')), ['x', 'é']);
});

test('PGM: more pixel data than the header declares is refused', () => {
  const pgm = samplePgm();
  const longer = new Uint8Array(pgm.length + 7);
  longer.set(pgm);
  assertDataError(() => decodeImage(longer, 'long.pgm'), `long.pgm at byte ${pgm.length}`, /7 bytes after the pixel data/);
  const text = new TextEncoder().encode('P2\n2 1\n255\n1 2 3\n');
  assertDataError(() => decodeImage(text, 'long-text.pgm'), 'long-text.pgm at byte 15', /more samples than/);
});

test('BMP: width or height 0 is refused', () => {
  for (const field of [18, 22]) {
    const bmp = sampleBmp();
    new DataView(bmp.buffer).setInt32(field, 0, true);
    assertDataError(() => decodeImage(bmp, 'zero.bmp'), `zero.bmp at byte ${field}`, /12×0|0×10/);
  }
});

/** A PNG whose IHDR declares `width × height`, with a valid IHDR checksum so only the size is wrong. */
function pngClaiming(width: number, height: number): Uint8Array {
  const png = samplePng();
  const view = new DataView(png.buffer);
  view.setUint32(16, width, false);
  view.setUint32(20, height, false);
  view.setUint32(29, crc32(png.subarray(12, 29)), false);
  return png;
}

function jpegFrameOffset(bytes: Uint8Array): number {
  for (let i = 2; i < bytes.length; ) {
    const marker = bytes[i + 1]!;
    if (marker === 0xc0 || marker === 0xc2) return i;
    i += 2 + ((bytes[i + 2]! << 8) | bytes[i + 3]!);
  }
  throw new Error('no frame header');
}

test('PNG and JPEG: a declared size above the pixel limit fails fast, naming the limit', () => {
  const started = performance.now();
  const png = pngClaiming(30000, 30000);
  assert.ok(png.length < 2048);
  assertDataError(() => decodeImage(png, 'big.png'), 'big.png at byte 16', /30000×30000 .*maxPixels 100000000/);
  assertDataError(() => decodeImage(pngClaiming(30, 30), 'small.png', { maxPixels: 899 }), 'small.png at byte 16', /maxPixels 899/);
  const jpg = sampleJpeg();
  const sof = jpegFrameOffset(jpg);
  new DataView(jpg.buffer).setUint16(sof + 5, 30000, false);
  new DataView(jpg.buffer).setUint16(sof + 7, 30000, false);
  assertDataError(() => decodeImage(jpg, 'big.jpg'), `big.jpg at byte ${sof}`, /maxPixels/);
  assert.ok(performance.now() - started < 5000, 'the limit is checked before decoding (decoding took 43 s)');
  assertDataError(() => decodeImage(pngClaiming(0, 10), 'zero.png'), 'zero.png at byte 16', /0×10/);
});

test('JPEG: a frame claiming more rows than its data is refused with the scan offset', () => {
  const jpg = sampleJpeg(16, 16);
  const sof = jpegFrameOffset(jpg);
  new DataView(jpg.buffer).setUint16(sof + 5, 16 + 8, false); // one more 8-row block than the data holds
  assertDataError(() => decodeImage(jpg, 'tall.jpg'), 'tall.jpg at byte', /JPEG image data cannot be decoded \(jpeg-js: /);
});

function gifFrame(bytes: Uint8Array): { descriptor: number; codeSize: number } {
  const frame = new GifReader(bytes).frameInfo(0);
  return { descriptor: frame.data_offset - 10, codeSize: frame.data_offset };
}

test('GIF: a 0×0 screen, a frame larger than the screen and LZW code size 12 are refused, silently', (t) => {
  const printed: unknown[] = [];
  t.mock.method(console, 'log', (...args: unknown[]) => printed.push(args));
  const zero = sampleGif();
  zero.set([0, 0, 0, 0], 6);
  assertDataError(() => decodeImage(zero, 'zero.gif'), 'zero.gif at byte 6', /0×0/);

  const wide = sampleGif();
  const { descriptor, codeSize } = gifFrame(wide);
  new DataView(wide.buffer).setUint16(descriptor + 5, 40, true);
  assertDataError(() => decodeImage(wide, 'wide.gif'), `wide.gif at byte ${descriptor}`, /frame .* outside the 12×10 screen/);

  const lzw = sampleGif();
  lzw[codeSize] = 12;
  assertDataError(() => decodeImage(lzw, 'lzw.gif'), `lzw.gif at byte ${codeSize}`, /LZW code size 12/);

  const short = sampleGif();
  new DataView(short.buffer).setUint16(6, 13, true); // screen and frame one column wider: the data runs short
  new DataView(short.buffer).setUint16(descriptor + 5, 13, true);
  assertDataError(() => decodeImage(short, 'short.gif'), `short.gif at byte ${codeSize}`, /GIF pixel data/);
  assert.deepEqual(printed, [], 'the decoder printed nothing');
});

test('a third-party decoder error is a DataError naming the file and the section it failed in', () => {
  const png = samplePng();
  png[png.length - 20] ^= 0xff; // inside IDAT: a checksum error in pngjs
  assertDataError(() => decodeImage(png, 'crc.png'), 'crc.png at byte', /PNG .*pngjs/);
});

test('gzip: data that expands beyond maxBytes is refused while it is being inflated', async () => {
  const bomb = new Uint8Array(gzipSync(new Uint8Array(20_000_000)));
  assert.ok(bomb.length < 50_000);
  await assertRejectsData(gunzip(bomb, 'bomb.gz', { maxBytes: 1_000_000 }), 'bomb.gz', /expands beyond the limit maxBytes 1000000/);
  const previous = setDataLimits({ maxBytes: 1_000_000 });
  try {
    await assertRejectsData(readIdx(bomb, 'bomb-idx.gz'), 'bomb-idx.gz', /maxBytes 1000000/);
  } finally {
    setDataLimits(previous);
  }
  assert.equal((await gunzip(bomb, 'bomb.gz')).length, 20_000_000);
});

test('PNG: a file whose image data chunk was renamed (so pngjs would return a blank picture) is refused', () => {
  const png = samplePng();
  png[37]! ^= 0x20; // 'IDAT' → 'iDAT', an ancillary chunk a decoder may skip
  assertDataError(() => decodeImage(png, 'blank.png'), 'blank.png at byte', /no image data \(IDAT chunk\)/);
});
