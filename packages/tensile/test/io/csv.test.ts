import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DataError } from '../../src/io/errors.js';
import { decodeUtf8, parseCsvRows, readCsv } from '../../src/io/csv.js';
import { readFileChunks } from '../../src/io/files.node.js';
import { sharedDataset, tempDir } from 'tensile-test-support';

async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

test('parses quotes, escaped quotes, embedded newlines and chunk boundaries', async () => {
  const text = 'a,"b,c","say ""hi"""\r\n"multi\nline",2,3\n\n4,5,6';
  const whole = await collect(parseCsvRows(text));
  const chunked = await collect(parseCsvRows(text.split(''))); // one character per chunk
  assert.deepEqual(whole, chunked);
  assert.deepEqual(whole.map((r) => r.fields), [['a', 'b,c', 'say "hi"'], ['multi\nline', '2', '3'], ['4', '5', '6']]);
  assert.deepEqual(whole.map((r) => r.line), [1, 2, 5]);
});

test('reads the CR-only attack_types.csv of NSL-KDD', async () => {
  const file = sharedDataset('nsl-kdd', 'attack_types.csv');
  const rows = await collect(readCsv(decodeUtf8(readFileChunks(file)), { source: file, columns: ['attack', 'category'], types: { attack: 'string', category: 'string' } }));
  // 22 training attacks + normal + unknown; the file has 23 CRs and no final line break.
  assert.equal(rows.length, 24);
  assert.deepEqual(rows[0], { attack: 'back', category: 'dos' });
  assert.deepEqual(rows[23], { attack: 'unknown', category: 'unknown' });
});

test('typed columns from a header, streamed from a .gz file', async () => {
  const file = sharedDataset('nsl-kdd', 'KDDTest-21.txt.gz');
  const columns = Array.from({ length: 43 }, (_, i) => `c${i + 1}`);
  const rows = await collect(readCsv(decodeUtf8(readFileChunks(file)), { source: file, columns, types: { c1: 'number', c2: 'string', c42: 'string', c43: 'number' } }));
  assert.equal(rows.length, 11850);
  assert.equal(typeof rows[0]!.c1, 'number');
  assert.ok(['tcp', 'udp', 'icmp'].includes(rows[0]!.c2));
});

async function corruptedKddSlice(dir: string): Promise<string> {
  const lines = gunzipSync(await readFile(sharedDataset('nsl-kdd', 'KDDTest+.txt.gz'))).toString('utf8').split('\n').slice(0, 20);
  lines[4] = lines[4]!.split(',').slice(0, 42).join(','); // line 5: a field missing
  const fields = lines[9]!.split(',');
  fields[0] = 'zero';
  lines[9] = fields.join(','); // line 10: non-numeric duration
  const file = path.join(dir, 'KDDTest-corrupt.txt');
  await writeFile(file, lines.join('\n'));
  return file;
}

const kddColumns = Array.from({ length: 43 }, (_, i) => `c${i + 1}`);

test('a wrong column count or non-numeric value is a DataError with file and line', async () => {
  const file = await corruptedKddSlice(await tempDir());
  const read = (): Promise<unknown[]> =>
    collect(readCsv(decodeUtf8(readFileChunks(file)), { source: file, columns: kddColumns, types: { c1: 'number', c42: 'string' } }));
  await assert.rejects(read(), (error: unknown) => {
    assert.ok(error instanceof DataError);
    assert.equal(error.source, file);
    assert.equal(error.location.line, 5);
    assert.match(error.message, /KDDTest-corrupt\.txt line 5: has 42 fields, expected 43/);
    return true;
  });
});

test('onBadRecord skip drops bad rows and lists each in one warning', async () => {
  const file = await corruptedKddSlice(await tempDir());
  const warnings: string[] = [];
  const rows = await collect(
    readCsv(decodeUtf8(readFileChunks(file)), {
      source: file,
      columns: kddColumns,
      types: { c1: 'number' },
      onBadRecord: 'skip',
      onWarning: (message) => warnings.push(message),
    }),
  );
  assert.equal(rows.length, 18);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /skipped 2 bad records/);
  assert.match(warnings[0]!, /line 5: has 42 fields/);
  assert.match(warnings[0]!, /line 10: column "c1" \(field 1\): "zero" is not a number/);
});
