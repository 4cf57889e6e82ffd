/** The intrusion-detection library: record parsing, metrics, and the detector's file and scoring API. */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import 'tensile/node';
import { IntrusionDetector, parseRecord, trainIds, type StreamResult } from '../../src/apps/ids/index.node.js';
import { splitTraining } from '../../src/apps/ids/split.js';
import { bestAccuracyThreshold, binaryMetrics, confusionMatrix, rocCurve } from '../../src/apps/ids/metrics.js';
import { setDataRoot } from 'tensile/node';
import { DataError, encodeSafetensors, ModelFileError, tensor } from 'tensile';
import { sharedDataRoot, sharedDataset, tempDir } from 'tensile-test-support';

const TEST_LINE =
  '0,tcp,private,REJ,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,229,10,0.00,0.00,1.00,1.00,0.04,0.06,0.00,255,10,0.04,0.06,0.00,0.00,0.00,0.00,1.00,1.00,neptune,21';

describe('parseRecord', () => {
  it('reads 41 features with or without label and difficulty', () => {
    const fields = TEST_LINE.split(',');
    const full = parseRecord(fields, 'f.csv', 7);
    assert.equal(full.features['service'], 'private');
    assert.equal(full.features['count'], 229);
    assert.equal(full.features['dst_host_srv_rerror_rate'], 1);
    assert.equal(full.label, 'neptune');
    assert.equal(full.difficulty, 21);
    assert.equal(parseRecord(fields.slice(0, 42), 'f.csv', 1).difficulty, undefined);
    const bare = parseRecord(fields.slice(0, 41), 'f.csv', 1);
    assert.equal(bare.label, undefined);
    assert.equal(Object.keys(bare.features).length, 41);
  });

  it('names the file, line and column of what is wrong', () => {
    const fields = TEST_LINE.split(',');
    assert.throws(() => parseRecord(fields.slice(0, 40), 'f.csv', 3), (e: DataError) => e instanceof DataError && e.message === 'f.csv line 3: has 40 fields, expected 41 (features), 42 (+ label) or 43 (+ label, difficulty)');
    assert.throws(() => parseRecord(['-1', ...fields.slice(1)], 'f.csv', 4), /f\.csv line 4: column 1 \(duration\) holds "-1", not a non-negative number/);
    assert.throws(() => parseRecord([...fields.slice(0, 2), '', ...fields.slice(3)], 'f.csv', 5), /line 5: column 3 \(service\) is empty/);
    assert.throws(() => parseRecord([...fields.slice(0, 42), 'x'], 'f.csv', 6), /line 6: column 43 \(difficulty\) holds "x"/);
  });
});

describe('detection metrics', () => {
  it('counts verdicts at a threshold', () => {
    // scores ≥ 0.5 are attacks: TP 2 (0.9, 0.6), FN 1 (0.2), FP 1 (0.7), TN 2 (0.1, 0.3)
    const m = binaryMetrics([0.9, 0.6, 0.2, 0.7, 0.1, 0.3], [1, 1, 1, 0, 0, 0], 0.5);
    assert.deepEqual(m.confusion, [[2, 1], [1, 2]]);
    assert.equal(m.accuracy, 4 / 6);
    assert.equal(m.precision, 2 / 3);
    assert.equal(m.recall, 2 / 3);
    assert.equal(m.falsePositiveRate, 1 / 3);
    // Of the 9 (attack, normal) pairs, 6 rank the attack higher (0.9 beats all 3, 0.6 beats 2, 0.2 beats 1): AUC = 6/9.
    assert.ok(Math.abs(m.rocAuc - 6 / 9) < 1e-12, `AUC ${m.rocAuc}`);
  });

  it('ROC: perfect ranking has area 1, all-tied scores 0.5; the curve runs from (0,0) to (1,1)', () => {
    assert.equal(rocCurve([0.9, 0.8, 0.1], [1, 1, 0]).auc, 1);
    const tied = rocCurve([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0]);
    assert.equal(tied.auc, 0.5);
    assert.deepEqual(tied.points.map((p) => [p.fpr, p.tpr]), [[0, 0], [1, 1]]);
  });

  it('the best-accuracy threshold cuts between the classes', () => {
    const t = bestAccuracyThreshold([0.1, 0.2, 0.35, 0.6, 0.8], [0, 0, 0, 1, 1]);
    assert.equal(t, (0.6 + 0.35) / 2);
    assert.equal(binaryMetrics([0.1, 0.2, 0.35, 0.6, 0.8], [0, 0, 0, 1, 1], t).accuracy, 1);
    assert.deepEqual(confusionMatrix([0, 1, 2, 2], [0, 2, 2, 1], 3), [[1, 0, 0], [0, 0, 1], [0, 1, 1]]);
  });
});

const dir = await tempDir('tensile-ids-unit-');

describe('splitTraining', () => {
  it('holds out the rarest attack type with enough records per category, plus a share of the rest', () => {
    const spec: [string, number, number][] = [['normal', 0, 100], ['neptune', 1, 60], ['pod', 1, 12], ['land', 1, 3], ['satan', 2, 20], ['spy', 3, 2]];
    const attacks = spec.flatMap(([name, , count]) => new Array<string>(count).fill(name));
    const categories = spec.flatMap(([, category, count]) => new Array<number>(count).fill(category));
    const split = splitTraining(attacks, categories, { fraction: 0.1, seed: 0, minHeldOut: 10, rule: 'rarest-type' });
    // DoS: pod (12) is the rarest with ≥ 10 records (land has 3); Probe: satan is its category's
    // most common type, so it stays; R2L: none with ≥ 10.
    assert.deepEqual(split.heldOutAttacks, ['pod']);
    const fit = new Set(split.fitRows);
    assert.ok(split.validationRows.every((row) => !fit.has(row)));
    assert.equal(fit.size + split.validationRows.length, attacks.length);
    assert.ok(split.fitRows.every((row) => attacks[row] !== 'pod'));
    assert.equal(split.validationRows.length, 12 + Math.round(0.1 * 185));
    assert.deepEqual(splitTraining(attacks, categories, { fraction: 0.1, seed: 0, minHeldOut: 10, rule: 'rarest-type' }), split, 'the split is a function of the seed');
  });
});

describe('IntrusionDetector', () => {
  let modelFile = '';
  const lines: string[] = [];

  before(async () => {
    setDataRoot(sharedDataRoot);
    const result = await trainIds({ variants: ['mlp'], seeds: 1, out: dir, trainLimit: 1500, maxEpochs: 2 });
    modelFile = result.models[0]!.path;
    lines.push(...gunzipSync(await readFile(sharedDataset('nsl-kdd', 'KDDTest+.txt.gz'))).toString('utf8').split('\n').slice(0, 300));
  });

  it('loads from its one file and scores records; bytes round-trip to the same scores', async () => {
    const detector = await IntrusionDetector.load(modelFile);
    assert.equal(detector.config.variant, 'mlp');
    const records = lines.map((line, i) => parseRecord(line.split(','), 'test', i + 1).features);
    const scores = detector.score(records);
    assert.equal(scores.length, 300);
    for (const s of scores) {
      assert.ok(s.score >= 0 && s.score <= 1);
      assert.equal(s.attack, s.score >= detector.threshold);
      assert.ok(['normal', 'DoS', 'Probe', 'R2L', 'U2R'].includes(s.category));
    }
    const copy = IntrusionDetector.fromBytes(detector.toBytes(), 'copy');
    assert.deepEqual(copy.score(records), scores);
    assert.ok(detector.score(records, 0).every((s) => s.attack), 'threshold 0 flags everything');
  });

  it('scoreStream yields one result per row in order, whatever the batch size, with malformed rows as errors', async () => {
    const detector = await IntrusionDetector.load(modelFile);
    const text = ['duration,protocol_type', ...lines.slice(0, 20).map((l, i) => (i === 5 ? 'broken' : l))].join('\n');
    const collect = async (batchSize: number): Promise<StreamResult[]> => {
      const out: StreamResult[] = [];
      for await (const r of detector.scoreStream(text, { source: 'in.csv', batchSize })) out.push(r);
      return out;
    };
    const [a, b] = [await collect(3), await collect(1000)];
    assert.equal(a.length, 20, 'the header line is not a record');
    assert.deepEqual(a.map((r) => r.line), Array.from({ length: 20 }, (_, i) => i + 2));
    const bad = a[5]!;
    assert.ok('error' in bad && bad.error.message === 'in.csv line 7: has 1 fields, expected 41 (features), 42 (+ label) or 43 (+ label, difficulty)');
    assert.deepEqual(
      a.map((r) => ('result' in r ? r.result.score : null)),
      b.map((r) => ('result' in r ? r.result.score : null)),
    );
  });

  it('rejects files that are not detectors, naming them', async () => {
    const foreign = path.join(dir, 'foreign.safetensors');
    await writeFile(foreign, encodeSafetensors({ w: tensor([1, 2]) }));
    await assert.rejects(IntrusionDetector.load(foreign), (e: Error) => e instanceof ModelFileError && /foreign\.safetensors: is a safetensors file without Tensile model metadata \(keys: .*\), not an intrusion detector \(written by tensile ids train\)/.test(e.message));
    const truncated = path.join(dir, 'truncated.safetensors');
    await writeFile(truncated, (await readFile(modelFile)).subarray(0, 100));
    await assert.rejects(IntrusionDetector.load(truncated), (e: Error) => e instanceof ModelFileError && e.message.startsWith(truncated));
  });
});
