import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PNG } from 'pngjs';
import { encode as encodeBmp } from 'fast-bmp';
import { GifWriter } from 'omggif';
import { DataError } from '../../src/io/errors.js';
import { decodeImage } from '../../src/io/image.js';
import { imageFileDataset, listImageFolder } from '../../src/data/image-folder.node.js';
import { augment, centerCrop, crop, flipHorizontal, normalize, resize, toGrayscale, toRgb } from '../../src/io/image-ops.js';
import { RawImage } from '../../src/io/raw-image.js';
import { Generator } from '../../src/tensor/random.js';
import { sharedDataset, tempDir } from 'tensile-test-support';

const catFile = sharedDataset('cats-dogs', 'cats_and_dogs_filtered', 'train', 'cats', 'cat.0.jpg');
const orlFile = sharedDataset('faces-orl', 's1', '1.pgm');

test('decodes a real JPEG (cat.0.jpg is 500×374 RGB) and a real PGM (ORL 92×112 gray)', async () => {
  const cat = decodeImage(new Uint8Array(await readFile(catFile)), catFile);
  assert.deepEqual([cat.width, cat.height, cat.channels], [500, 374, 3]);
  const face = decodeImage(new Uint8Array(await readFile(orlFile)), orlFile);
  assert.deepEqual([face.width, face.height, face.channels], [92, 112, 1]);
  assert.equal(face.data.length, 10304);
});

test('PNG, BMP and GIF decode to the pixels that were encoded', async () => {
  await import('../../src/io/png.node.js'); // registers PNG
  const width = 3;
  const height = 2;
  const rgb = Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 37) % 256);
  const png = new PNG({ width, height });
  rgb.forEach((v, i) => (png.data[Math.floor(i / 3) * 4 + (i % 3)] = v));
  for (let p = 0; p < width * height; p++) png.data[p * 4 + 3] = 255;
  const fromPng = decodeImage(new Uint8Array(PNG.sync.write(png, { colorType: 2 })), 'x.png');
  assert.deepEqual([...fromPng.data], [...rgb]);

  const fromBmp = decodeImage(encodeBmp({ width, height, data: rgb, channels: 3, components: 3, bitsPerPixel: 24 }), 'x.bmp');
  assert.deepEqual([fromBmp.width, fromBmp.height, fromBmp.channels], [width, height, 3]);
  assert.deepEqual([...fromBmp.data], [...rgb]);

  const gifBytes = new Uint8Array(1024);
  const writer = new GifWriter(gifBytes, 2, 1, { palette: [0xff0000, 0x00ff00] });
  writer.addFrame(0, 0, 2, 1, [1, 0]);
  const fromGif = decodeImage(gifBytes.subarray(0, writer.end()), 'x.gif');
  assert.deepEqual([...fromGif.data], [0, 255, 0, 255, 0, 0]);
});

test('unknown bytes, a truncated JPEG and a corrupt PGM are DataErrors naming the file', async () => {
  const jpeg = new Uint8Array(await readFile(catFile));
  assert.throws(() => decodeImage(new Uint8Array([1, 2, 3, 4]), 'x.bin'), /x\.bin at byte 0: not a JPEG/);
  assert.throws(() => decodeImage(jpeg.subarray(0, jpeg.length / 2), 'half.jpg'), /half\.jpg at byte \d+: JPEG is truncated/);
  const garbled = jpeg.slice();
  garbled.fill(0x55, 20, 2000); // destroys the quantisation and Huffman tables
  assert.throws(() => decodeImage(garbled, 'garbled.jpg'), (error: unknown) => error instanceof DataError && /garbled\.jpg/.test(error.message));
  const pgm = new Uint8Array(await readFile(orlFile));
  assert.throws(() => decodeImage(pgm.subarray(0, 5000), 's1/1.pgm'), /s1\/1\.pgm at byte 5000: file is truncated: pixel data needs 10304 bytes, found 4986/);
});

test('a corrupt JPEG in a class folder: an error by default, a listed skip when asked', async () => {
  const dir = await tempDir();
  for (const [label, name] of [['cats', 'cat.0.jpg'], ['cats', 'cat.1.jpg'], ['dogs', 'dog.0.jpg']] as const) {
    await mkdir(path.join(dir, label), { recursive: true });
    await copyFile(sharedDataset('cats-dogs', 'cats_and_dogs_filtered', 'train', label, name), path.join(dir, label, name));
  }
  const bad = path.join(dir, 'cats', 'cat.1.jpg');
  const bytes = await readFile(bad);
  await writeFile(bad, bytes.subarray(0, 3000));
  const folder = await listImageFolder(dir);
  assert.deepEqual(folder.classNames, ['cats', 'dogs']);
  assert.deepEqual(folder.files.map((f) => f.label), [0, 0, 1]);
  await assert.rejects(imageFileDataset(folder.files).toArray(), new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}.*JPEG is truncated`));
  const warnings: string[] = [];
  const decoded = await imageFileDataset(folder.files, { onBadRecord: 'skip', onWarning: (m) => warnings.push(m) }).toArray();
  assert.deepEqual(decoded.map((d) => path.basename(d.path)), ['cat.0.jpg', 'dog.0.jpg']);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /skipped 1 bad record:\n.*cat\.1\.jpg/);
});

test('grayscale, resize (bilinear, area), crop, flip and normalise', () => {
  const rgb = new RawImage(Uint8Array.of(255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255), 2, 2, 3);
  assert.deepEqual([...toGrayscale(rgb).data], [76, 150, 29, 255]);
  assert.equal(toRgb(rgb), rgb);
  assert.deepEqual([...toRgb(new RawImage(Uint8Array.of(7, 200), 2, 1, 1)).data], [7, 7, 7, 200, 200, 200]);
  assert.deepEqual([...toRgb(new RawImage(Uint8Array.of(7, 99, 200, 0), 2, 1, 2)).data], [7, 7, 7, 200, 200, 200]);
  assert.deepEqual([...toRgb(new RawImage(Uint8Array.of(1, 2, 3, 99, 4, 5, 6, 0), 2, 1, 4)).data], [1, 2, 3, 4, 5, 6]);
  assert.throws(() => toRgb(new RawImage(new Uint8Array(5), 1, 1, 5)), /toRgb: 5-channel images/);
  const gray = new RawImage(Uint8Array.from({ length: 16 }, (_, i) => i * 10), 4, 4, 1);
  // Area halving averages each 2×2 block: (0+10+40+50)/4 = 25 …
  assert.deepEqual([...resize(gray, 2, 2, 'area').data], [25, 45, 105, 125]);
  // Bilinear with half-pixel centres samples between the same pixels at a 2× reduction.
  assert.deepEqual([...resize(gray, 2, 2, 'bilinear').data], [25, 45, 105, 125]);
  const up = resize(new RawImage(Uint8Array.of(0, 100), 2, 1, 1), 4, 1, 'bilinear');
  assert.deepEqual([...up.data], [0, 25, 75, 100]);
  assert.deepEqual([...crop(gray, 1, 2, 2, 1).data], [90, 100]);
  assert.deepEqual([...centerCrop(gray, 2, 2).data], [50, 60, 90, 100]);
  assert.deepEqual([...flipHorizontal(crop(gray, 0, 0, 4, 1)).data], [30, 20, 10, 0]);
  const normalized = normalize(gray, { mean: 0.5, std: 0.5 });
  assert.ok(Math.abs(normalized.data[0]! + 1) < 1e-6);
  assert.ok(Math.abs(normalized.data[15]! - (150 / 255 - 0.5) / 0.5) < 1e-6);
});

test('augment is reproducible from a seed and keeps the size', () => {
  const image = new RawImage(Uint8Array.from({ length: 50 * 40 }, (_, i) => i % 251), 50, 40, 1);
  const options = { cropFraction: 0.8, brightness: 0.2 };
  const a = augment(image, new Generator(1), options);
  const b = augment(image, new Generator(1), options);
  assert.deepEqual([a.width, a.height], [50, 40]);
  assert.deepEqual(a.data, b.data);
  assert.notDeepEqual(augment(image, new Generator(2), options).data, a.data);
});
