/** Ensemble manifests: written after their members, read back, and refused with the fault named. */
import assert from 'node:assert/strict';
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { classifierBytes, classifierPaths, manifestStem, readEnsemble, writeClassifier } from '../../src/apps/catsdogs/ensemble.node.js';
import { tempDir } from 'tensile-test-support';

const dir = await tempDir('tensile-ensemble-');

async function manifest(name: string, body: unknown): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, typeof body === 'string' ? body : JSON.stringify(body));
  return file;
}

describe('catsdogs ensemble manifests', () => {
  it('one network is a plain model file; several are members beside a manifest', () => {
    assert.deepEqual(classifierPaths('d', 'model', 1), { target: path.join('d', 'model.safetensors'), members: [path.join('d', 'model.safetensors')] });
    assert.deepEqual(classifierPaths('d', 'm', 2), { target: path.join('d', 'm.ensemble.json'), members: [path.join('d', 'm-1.safetensors'), path.join('d', 'm-2.safetensors')] });
    assert.equal(manifestStem('/x/q.ensemble.json'), 'q');
    assert.throws(() => manifestStem('/x/q.safetensors'), /q\.safetensors: an ensemble is written as a manifest named <stem>\.ensemble\.json/);
    assert.throws(() => manifestStem('/x/.ensemble.json'), /manifest named/);
  });

  it('writes the members, then the manifest that names them with their sizes; reads them back', async () => {
    const written: string[] = [];
    const target = await writeClassifier(dir, 'pair', 2, async (file, k) => {
      written.push(file);
      await writeFile(file, 'x'.repeat(10 * (k + 1)));
    });
    assert.equal(target, path.join(dir, 'pair.ensemble.json'));
    assert.deepEqual(await readEnsemble(target), written);
    assert.equal(await classifierBytes(target), 30 + (await stat(target)).size);
    assert.equal(await classifierBytes(written[0]!), 10);
  });

  it('refuses a manifest that is not one, of another version, with too few members, naming files elsewhere, or whose member is missing or changed', async () => {
    await writeFile(path.join(dir, 'a.safetensors'), 'aaaa');
    await writeFile(path.join(dir, 'b.safetensors'), 'bbbbbb');
    const valid = { format: 'tensile.ensemble', version: 1, combine: 'mean-softmax', members: [{ file: 'a.safetensors', bytes: 4 }, { file: 'b.safetensors', bytes: 6 }] };
    assert.equal((await readEnsemble(await manifest('ok.ensemble.json', valid))).length, 2);
    const cases: [unknown, RegExp][] = [
      ['{ not json', /bad\.ensemble\.json: cannot be read as an ensemble manifest/],
      [{ ...valid, format: 'other' }, /not an ensemble manifest \(format "other"/],
      [{ ...valid, version: 2 }, /ensemble format version 2, this Tensile reads 1/],
      [{ ...valid, combine: 'vote' }, /unknown way to combine members: "vote"/],
      [{ ...valid, members: [valid.members[0]] }, /names 1 members; an ensemble has at least 2/],
      [{ ...valid, members: [valid.members[0], { file: '../b.safetensors', bytes: 6 }] }, /member 2 is not a file name beside the manifest/],
      [{ ...valid, members: [valid.members[0], { file: 'c.safetensors', bytes: 6 }] }, /member 2, .*c\.safetensors, does not exist/],
      [{ ...valid, members: [valid.members[0], { file: 'b.safetensors', bytes: 7 }] }, /member 2, .*b\.safetensors, has 6 bytes, the manifest recorded 7: it was replaced or is incomplete/],
    ];
    for (const [body, expected] of cases) await assert.rejects(readEnsemble(await manifest('bad.ensemble.json', body)), expected, JSON.stringify(body));
    await assert.rejects(readEnsemble(path.join(dir, 'absent.ensemble.json')), /absent\.ensemble\.json: cannot be read/);
  });
});
