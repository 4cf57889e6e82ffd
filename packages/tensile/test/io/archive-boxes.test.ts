import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { parseBoxes, groupBoxesByImage } from '../../src/io/boxes.js';
import { decodeImage } from '../../src/io/image.js';
import { readTar, readTarEntries } from '../../src/io/tar.js';
import { sharedDataset } from 'tensile-test-support';

const archivePath = sharedDataset('faces-detector-train', 'caltech_crop_faces_36x36.tar.gz');

test('reads all 6,713 face crops straight out of the .tar.gz and decodes them', async () => {
  const files = await readTar(new Uint8Array(await readFile(archivePath)), archivePath);
  const jpegs = [...files.keys()].filter((name) => name.endsWith('.jpg'));
  assert.equal(jpegs.length, 6713);
  assert.ok(jpegs[0]!.startsWith('Caltech_CropFaces/caltech_web_crop_'));
  const face = decodeImage(files.get(jpegs[0]!)!, jpegs[0]!);
  assert.deepEqual([face.width, face.height], [36, 36]);
});

test('a truncated or corrupt tar is a DataError with an offset', async () => {
  const tar = new Uint8Array(gunzipSync(await readFile(archivePath)));
  assert.throws(() => [...readTarEntries(tar.subarray(0, 100_000), 'cut.tar')], /cut\.tar at byte \d+: archive is truncated/);
  const corrupt = tar.slice(0, 4096);
  corrupt[10] = corrupt[10]! ^ 0xff;
  assert.throws(() => [...readTarEntries(corrupt, 'bad.tar')], /bad\.tar at byte 0: corrupt tar header \(checksum/);
  await assert.rejects(readTar(new Uint8Array(await readFile(archivePath)).subarray(0, 5000), archivePath), /corrupt or truncated gzip/);
});

test('parses the CMU+MIT box file: 511 boxes in 117 images; bad lines name the line', async () => {
  const file = sharedDataset('faces-cmumit-detect', 'ground_truth_bboxes.txt');
  const boxes = parseBoxes(await readFile(file, 'utf8'), file);
  assert.equal(boxes.length, 511);
  assert.equal(groupBoxesByImage(boxes).size, 117);
  assert.deepEqual(boxes[0], { image: 'voyager.jpg', x1: 106, y1: 22, x2: 152, y2: 80 });
  assert.ok(boxes.some((box) => box.image === 'henry.jpg' && box.x1 === -27), 'boxes past the border are kept as given');
  assert.throws(() => parseBoxes('a.jpg 1 2 3 4\nb.jpg 1 2 x 4\n', 'b.txt'), /b\.txt line 2: non-numeric coordinate/);
  assert.throws(() => parseBoxes('a.jpg 1 2 3\n', 'c.txt'), /c\.txt line 1: has 4 fields, expected 5/);
  const warnings: string[] = [];
  assert.equal(parseBoxes('a.jpg 1 2 3 4\nb.jpg 5 5 1 1\n', 'd.txt', { onBadRecord: 'skip', onWarning: (m) => warnings.push(m) }).length, 1);
  assert.match(warnings[0]!, /d\.txt line 2: empty box/);
});
