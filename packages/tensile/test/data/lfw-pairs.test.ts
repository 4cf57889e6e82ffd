/** LFW pairs files: each pair's line, and broken pairs files refused naming the file and line. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { lfw, parsePairs } from '../../src/data/index.node.js';
import { DataError } from '../../src/io/errors.js';
import { sharedDataRoot, sharedDataset, tempDir } from 'tensile-test-support';

test('parsePairs: same and different pairs, each with its 1-based line; blank lines skipped but counted', () => {
  const pairs = parsePairs('2\nAaron_Peirsol\t1\t2\n\r\nAbdullah_Gul\t13\tAJ_Lamas\t1\n\n', 'pairs.txt');
  assert.deepEqual(pairs, [
    { first: 'Aaron_Peirsol/Aaron_Peirsol_0001.jpg', second: 'Aaron_Peirsol/Aaron_Peirsol_0002.jpg', same: true, line: 2 },
    { first: 'Abdullah_Gul/Abdullah_Gul_0013.jpg', second: 'AJ_Lamas/AJ_Lamas_0001.jpg', same: false, line: 4 },
  ]);
});

test('parsePairs refuses a malformed line, naming the file and line', () => {
  for (const bad of ['Aaron_Peirsol\t1', 'Aaron_Peirsol\tone\t2', 'A\t1\tB\tx', 'A 1 B 2 C']) {
    assert.throws(() => parsePairs(`1\nAaron_Peirsol\t1\t2\n${bad}\n`, 'my-pairs.txt'), (e: unknown) => {
      assert.ok(e instanceof DataError);
      assert.equal(e.location.line, 3);
      assert.match(e.message, /^my-pairs\.txt line 3: not a pair line/);
      return true;
    });
  }
});

test('lfw().readPairs: the DevTest pairs carry their lines; a pairs file naming a missing image is refused naming file and line', async (t) => {
  if (!existsSync(sharedDataset('faces-lfw'))) {
    t.skip(`LFW not found at ${sharedDataset('faces-lfw')}`);
    return;
  }
  const data = await lfw({ root: sharedDataRoot });
  assert.deepEqual(data.devTestPairs.map((p) => p.line), Array.from({ length: 1000 }, (_, i) => i + 2));
  const dir = await tempDir('tensile-lfw-pairs-');
  const good = path.join(dir, 'good.txt');
  const [same, different] = [data.devTestPairs[0]!, data.devTestPairs[999]!];
  const line = (p: typeof same): string => {
    const [a, b] = [p.first, p.second].map((image) => /^(.+)\/\1_(\d{4})\.jpg$/.exec(image)!);
    return p.same ? `${a![1]}\t${Number(a![2])}\t${Number(b![2])}` : `${a![1]}\t${Number(a![2])}\t${b![1]}\t${Number(b![2])}`;
  };
  await writeFile(good, `1\n${line(same)}\n${line(different)}\n`);
  assert.deepEqual(await data.readPairs(good), [{ ...same, line: 2 }, { ...different, line: 3 }]);
  const missing = path.join(dir, 'missing.txt');
  await writeFile(missing, `1\n${line(same)}\nNobody_Here\t1\t2\n`);
  await assert.rejects(data.readPairs(missing), (e: unknown) => {
    assert.ok(e instanceof DataError);
    assert.match(e.message, new RegExp(`^${missing.replace(/[.\\/]/g, '\\$&')} line 3: names Nobody_Here/Nobody_Here_0001\\.jpg, which is not in .*lfw_subset\\.tar\\.gz`));
    return true;
  });
  await assert.rejects(data.readPairs(path.join(dir, 'absent.txt')), (e: unknown) => e instanceof DataError && e.message.includes('absent.txt'));
});
