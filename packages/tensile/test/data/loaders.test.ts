import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { catsDogs, faceDetection, fashionMnist, lfw, lfwTrain, mnist, nslKdd, orlFaces, setDataRoot } from '../../src/data/index.node.js';
import { labeledImageDataset } from '../../src/data/index.js';
import { locateDataset } from '../../src/data/datasets/fetch.node.js';
import { DataError } from '../../src/io/errors.js';
import { TabularEncoder } from '../../src/data/tabular-encoder.js';
import '../../src/index.js'; // registers the tensor backends for batch()
import { sharedDataRoot, tempDir } from 'tensile-test-support';

const root = sharedDataRoot;

const classCounts = (labels: Uint8Array, classes: number): number[] => {
  const counts = new Array<number>(classes).fill(0);
  for (const label of labels) counts[label]!++;
  return counts;
};

test('mnist: 60,000 + 10,000 digits, verified against the published content hashes', async () => {
  const { train, test: testSplit } = await mnist({ root });
  assert.deepEqual(train.shape, [60000, 28, 28, 1]);
  assert.deepEqual(testSplit.shape, [10000, 28, 28, 1]);
  assert.deepEqual(classCounts(testSplit.labels, 10), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  assert.deepEqual([...train.labels.subarray(0, 10)], [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
  const [batch] = await labeledImageDataset(testSplit).take(32).batch(32).toArray();
  assert.deepEqual(batch!.x.shape, [32, 28, 28, 1]);
  assert.deepEqual(batch!.y.shape, [32]);
});

test('fashionMnist: 60,000 + 10,000 (Debian dataset-fashion-mnist or the data root)', async (t) => {
  if (!existsSync('/usr/share/datasets/fashion-mnist') && !existsSync(path.join(root, 'fashion-mnist'))) {
    t.skip('Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)');
    return;
  }
  const { train, test: testSplit } = await fashionMnist({ download: false });
  assert.equal(train.labels.length, 60000);
  assert.equal(testSplit.labels.length, 10000);
  assert.deepEqual(classCounts(testSplit.labels, 10), new Array(10).fill(1000));
});

test('nslKdd: README row and category counts, encoder fitted on train and serialisable', async () => {
  const data = await nslKdd({ root, trainFile: 'KDDTrain+_20Percent' });
  assert.equal(data.train.shape[0], 25192);
  assert.equal(data.test.shape[0], 22544);
  assert.equal(data.test21.shape[0], 11850);
  assert.deepEqual(classCounts(data.train.categoryLabels, 5), [13449, 9234, 2289, 209, 11]);
  assert.deepEqual(classCounts(data.test.categoryLabels, 5), [9711, 7458, 2421, 2754, 200]);
  assert.equal(data.test.binaryLabels.reduce((a, b) => a + b, 0), 22544 - 9711);
  const width = data.encoder.width;
  assert.equal(data.train.shape[1], width);
  assert.ok(data.encoder.featureNames.includes('protocol_type=icmp'));
  const train = data.train.features;
  let min = Infinity;
  let max = -Infinity;
  for (const v of train) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  assert.deepEqual([min, max], [0, 1], 'min-max scaled on the training split');
  const restored = TabularEncoder.fromJSON(JSON.parse(JSON.stringify(data.encoder.toJSON())));
  assert.equal(restored.width, width);
});

test('nslKdd: the full KDDTrain+ has 125,973 rows', async () => {
  const data = await nslKdd({ root });
  assert.equal(data.train.shape[0], 125973);
  assert.deepEqual(classCounts(data.train.categoryLabels, 5), [67343, 45927, 11656, 995, 52]);
});

test('orlFaces: 40 people × (5 train + 5 test), a seeded per-person split', async () => {
  const a = await orlFaces({ root, seed: 1 });
  assert.deepEqual(a.train.shape, [200, 112, 92, 1]);
  assert.deepEqual(a.test.shape, [200, 112, 92, 1]);
  assert.deepEqual(classCounts(a.train.labels, 40), new Array(40).fill(5));
  assert.equal(a.classNames[1], 's2');
  const b = await orlFaces({ root, seed: 1 });
  assert.deepEqual(a.train.images, b.train.images);
  const c = await orlFaces({ root, seed: 2 });
  assert.notDeepEqual(a.train.images, c.train.images);
  assert.deepEqual((await orlFaces({ root, trainPerPerson: 9 })).test.shape[0], 40);
});

test('catsDogs: 2,000 train + 1,000 validation files, balanced; a few decode', async () => {
  const { train, validation } = await catsDogs({ root });
  assert.equal(train.files.length, 2000);
  assert.equal(validation.files.length, 1000);
  assert.deepEqual(train.classNames, ['cats', 'dogs']);
  assert.equal(train.files.filter((f) => f.label === 1).length, 1000);
  assert.equal(validation.files.filter((f) => f.label === 0).length, 500);
});

test('lfw: 2,699 images from the tarball, 1,000 DevTest pairs, 115 × 10 identity images', async () => {
  const data = await lfw({ root });
  assert.equal(data.images.size, 2699);
  assert.equal(data.devTestPairs.length, 1000);
  assert.equal(data.devTestPairs.filter((p) => p.same).length, 500);
  assert.equal(data.identity.files.length, 1150);
  assert.equal(data.identity.classNames.length, 115);
  const image = data.decode(data.devTestPairs[0]!.first);
  assert.deepEqual([image.width, image.height, image.channels], [250, 250, 3]);
});

test('lfwTrain: 6,968 images of 1,262 people from the tarball, labels by sorted name, 160×160 RGB', async () => {
  const data = await lfwTrain({ root });
  assert.equal(data.files.length, 6968);
  assert.equal(data.people.length, 1262);
  const counts = new Array<number>(data.people.length).fill(0);
  for (const file of data.files) counts[file.label]!++;
  assert.equal(Math.max(...counts), 530);
  assert.equal(data.people[counts.indexOf(530)], 'George_W_Bush');
  assert.ok(data.files.every((f) => f.path.startsWith(`${data.people[f.label]}/`)));
  const image = data.decode(data.files[0]!.path);
  assert.deepEqual([image.width, image.height, image.channels], [160, 160, 3]);
});

test('lfwTrain refuses a truncated archive, a people.tsv that disagrees with it, and a broken JPEG, naming the file', async () => {
  const source = path.join(root, 'faces-lfw-train');
  const tarball = await readFile(path.join(source, 'lfw_train_crop160.tar.gz'));
  const people = await readFile(path.join(source, 'people.tsv'), 'utf8');
  const make = async (archive: Uint8Array, list: string): Promise<string> => {
    const dataRoot = await tempDir();
    await mkdir(path.join(dataRoot, 'faces-lfw-train'));
    await writeFile(path.join(dataRoot, 'faces-lfw-train', 'lfw_train_crop160.tar.gz'), archive);
    await writeFile(path.join(dataRoot, 'faces-lfw-train', 'people.tsv'), list);
    return dataRoot;
  };
  await assert.rejects(lfwTrain({ root: await make(tarball.subarray(0, 100_000), people), download: false }), (e: Error) => e instanceof DataError && /lfw_train_crop160\.tar\.gz/.test(e.message));
  const wrongCount = people.replace(/^Aaron_Peirsol\t4$/m, 'Aaron_Peirsol\t5');
  await assert.rejects(lfwTrain({ root: await make(tarball, wrongCount), download: false }), /people\.tsv.*line 1.*lists 5 images of Aaron_Peirsol, the archive holds 4/);
  await assert.rejects(lfwTrain({ root: await make(tarball, `${people}Nobody\n`), download: false }), /line 1263.*not a 'Name<TAB>count' line/);
  // A broken JPEG inside a well-formed archive: refused when decoded, naming the archive and the image.
  const tar = gunzipSync(tarball);
  const data = await lfwTrain({ root: await make(gzipSync(zeroFirstJpeg(tar), { level: 1 }), people), download: false });
  assert.throws(() => data.decode(data.files[0]!.path), (e: Error) => e instanceof DataError && e.message.includes(`lfw_train_crop160.tar.gz:${data.files[0]!.path}`));
});

/** The archive with the bytes of its first JPEG zeroed (sizes and headers intact): a file that is not an image. */
function zeroFirstJpeg(tar: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(tar);
  const field = (offset: number, start: number, length: number): string => new TextDecoder().decode(copy.subarray(offset + start, offset + start + length)).replace(/\0.*$/s, '').trim();
  for (let offset = 0; offset + 512 <= copy.length; ) {
    const size = parseInt(field(offset, 124, 12), 8);
    if (field(offset, 0, 100).endsWith('.jpg')) {
      copy.fill(0, offset + 512, offset + 512 + size);
      return copy;
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error('no JPEG in the archive');
}

test('faceDetection: 6,713 crops, 274 scenes, 130 test images with 511 boxes', async () => {
  const data = await faceDetection({ root });
  assert.equal(data.train.positives.length, 6713);
  assert.equal(data.train.negativeScenes.length, 274);
  assert.equal(data.test.images.length, 130);
  assert.equal(data.test.boxes.length, 511);
  assert.equal(data.test.faceOnlyBoxes.length, 511);
});

test('missing files download into the cache from a local server, checked by content hash; a failure lists every place looked and leaves no empty folder', async () => {
  const payload = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9]);
  const gz = gzipSync(payload);
  let requests = 0;
  const server = createServer((request, response) => {
    requests++;
    if (request.url === '/files/labels.gz') response.end(gz);
    else if (request.url === '/files/bad.gz') response.end(gzipSync(new Uint8Array([1, 2, 3])));
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const saved = { cwd: process.cwd(), data: process.env.TENSILE_DATA };
  try {
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/files`;
    const cache = await tempDir();
    process.env.TENSILE_CACHE = cache;
    const emptyRoot = await tempDir();
    setDataRoot(emptyRoot); // an empty data root: the files are not there
    process.env.TENSILE_DATA = path.join(emptyRoot, 'absent');
    // A working directory with no ../shared/datasets beside it, so no real dataset is found.
    const work = path.join(await tempDir(), 'checkout');
    await mkdir(work);
    process.chdir(work);
    const contentSha256 = createHash('sha256').update(payload).digest('hex');
    const location = { name: 'tiny', files: [{ name: 'labels.gz', contentSha256 }], defaultBaseUrl: baseUrl };
    const dir = await locateDataset(location);
    assert.equal(dir, path.join(cache, 'tiny'));
    assert.deepEqual(new Uint8Array(await readFile(path.join(dir, 'labels.gz'))), new Uint8Array(gz));
    await locateDataset(location); // now found in the cache: no second request
    assert.equal(requests, 1);

    const wrong = { name: 'tiny2', files: [{ name: 'bad.gz', contentSha256 }], defaultBaseUrl: baseUrl };
    await assert.rejects(locateDataset(wrong), /bad\.gz: content sha256 .* does not match/);
    assert.equal(existsSync(path.join(cache, 'tiny2')), false, 'a file failing its check is not kept, nor its empty folder');
    const failure = await locateDataset({ name: 'tiny3', files: [{ name: 'nothing.gz' }], defaultBaseUrl: baseUrl }).then(() => assert.fail('a 404 must fail'), (e: unknown) => e);
    assert.ok(failure instanceof DataError);
    assert.match(failure.message, /HTTP 404/);
    for (const place of [
      `${path.join(emptyRoot, 'tiny3')} (--data-root / setDataRoot, missing)`, `${path.join(emptyRoot, 'absent', 'tiny3')} (TENSILE_DATA, missing)`,
      `${path.resolve(work, '..', 'shared', 'datasets', 'tiny3')} (../shared/datasets from the working directory, missing)`, `${path.join(cache, 'tiny3')} (the download cache, missing)`,
    ]) {
      assert.ok(failure.message.includes(place), `${place} in ${failure.message}`);
    }
    assert.match(failure.message, /Point at a folder that holds tiny3\/ with --data-root DIR, TENSILE_DATA=DIR, setDataRoot\(DIR\) or the \{ root: DIR \} option/);
    assert.equal(existsSync(path.join(cache, 'tiny3')), false, 'a failed download leaves no empty cache folder');
    await assert.rejects(locateDataset({ ...location, name: 'tiny4' }, { download: false }), (e: unknown) => e instanceof DataError && /dataset tiny4: not found: .*downloading was turned off/.test(e.message));

    // A real loader takes the same path when its files are missing from every root.
    await assert.rejects(mnist({ baseUrl: `${baseUrl}-missing` }), /dataset mnist: not found: .*HTTP 404/);
    assert.equal(existsSync(path.join(cache, 'mnist')), false);
  } finally {
    server.close();
    process.chdir(saved.cwd);
    setDataRoot(undefined);
    if (saved.data === undefined) delete process.env.TENSILE_DATA;
    else process.env.TENSILE_DATA = saved.data;
    delete process.env.TENSILE_CACHE;
  }
});

test('a data root that does not exist is refused, naming it; ../shared/datasets beside the working directory is searched', async () => {
  const missing = path.join(await tempDir(), 'no-such-folder');
  assert.throws(() => setDataRoot(missing), (e: unknown) => e instanceof DataError && e.message === `${missing}: the data root (--data-root or setDataRoot) is not an existing folder`);
  const parent = await tempDir();
  await mkdir(path.join(parent, 'shared', 'datasets', 'tiny5'), { recursive: true });
  await writeFile(path.join(parent, 'shared', 'datasets', 'tiny5', 'labels.gz'), gzipSync(new Uint8Array([1])));
  await mkdir(path.join(parent, 'checkout'));
  const saved = { cwd: process.cwd(), data: process.env.TENSILE_DATA };
  try {
    delete process.env.TENSILE_DATA;
    process.chdir(path.join(parent, 'checkout'));
    assert.equal(await locateDataset({ name: 'tiny5', files: [{ name: 'labels.gz' }] }, { download: false }), path.join(parent, 'shared', 'datasets', 'tiny5'));
  } finally {
    process.chdir(saved.cwd);
    if (saved.data !== undefined) process.env.TENSILE_DATA = saved.data;
  }
});
