import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { DataError } from '../../src/io/errors.js';
import { gunzip } from '../../src/io/gzip.js';
import { parseIdx, readIdx } from '../../src/io/idx.js';
import { sharedDataset } from 'tensile-test-support';

const labelsFile = sharedDataset('mnist', 't10k-labels-idx1-ubyte.gz');

test('reads the real MNIST test labels (gzip) with their published first values', async () => {
  const labels = await readIdx(new Uint8Array(await readFile(labelsFile)), labelsFile, { dtype: 'uint8', shape: [10000] });
  assert.deepEqual(labels.shape, [10000]);
  assert.deepEqual([...labels.values.subarray(0, 10)], [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
});

test('parses multi-byte big-endian dtypes', () => {
  const bytes = new Uint8Array([0, 0, 0x0c, 1, 0, 0, 0, 2, 0, 0, 1, 0, 0xff, 0xff, 0xff, 0xfe]);
  const array = parseIdx(bytes, 'mem.idx');
  assert.equal(array.dtype, 'int32');
  assert.deepEqual([...array.values], [256, -2]);
});

async function rawLabels(): Promise<Uint8Array> {
  return gunzip(new Uint8Array(await readFile(labelsFile)), labelsFile);
}

test('a truncated gzip is a DataError naming the file', async () => {
  const gz = new Uint8Array(await readFile(labelsFile));
  await assert.rejects(readIdx(gz.subarray(0, gz.length / 2), labelsFile), (error: unknown) => {
    assert.ok(error instanceof DataError);
    assert.match(error.message, /t10k-labels-idx1-ubyte\.gz: corrupt or truncated gzip/);
    return true;
  });
});

test('wrong magic, unknown dtype and short files are DataErrors with offsets', async () => {
  const raw = await rawLabels();
  const wrongMagic = raw.slice();
  wrongMagic[0] = 0x50;
  assert.throws(() => parseIdx(wrongMagic, 'bad.idx'), /bad\.idx at byte 0: not an IDX file/);
  const wrongDtype = raw.slice();
  wrongDtype[2] = 0x07;
  assert.throws(() => parseIdx(wrongDtype, 'bad.idx'), /at byte 2: unknown IDX dtype code 07/);
  assert.throws(() => parseIdx(raw.subarray(0, 2), 'short.idx'), /shorter than the 4-byte IDX magic/);
  assert.throws(() => parseIdx(raw.subarray(0, 6), 'short.idx'), /ends inside the header/);
  assert.throws(() => parseIdx(raw.subarray(0, raw.length - 1), 'cut.idx'), /cut\.idx at byte 10007: file is truncated: .*needs 10000 payload bytes, found 9999/);
  await assert.rejects(readIdx(gzipSync(raw.subarray(0, 5000)), 'cut.gz'), /file is truncated/);
  assert.throws(() => parseIdx(raw, 'labels', { shape: [60000] }), /has shape \[10000\], expected \[60000\]/);
  assert.throws(() => parseIdx(raw, 'labels', { dtype: 'float32' }), /holds uint8 values, expected float32/);
});
