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
import { anomalyScores, anomalyStep } from '../../src/apps/ids/anomaly.js';
import { anomalyNetworks } from '../../src/apps/ids/detector.node.js';
import { bestEitherThresholds, eitherScore, KNOWN_ATTACK, NORMAL, normalShareCuts, shiftBalancedAccuracy, UNSEEN_ATTACK } from '../../src/apps/ids/thresholds.js';
import { ANOMALY_SETTINGS } from '../../src/apps/ids/variants.js';
import { setDataRoot } from 'tensile/node';
import { Adam, DataError, encodeSafetensors, Generator, manualSeed, mean, ModelFileError, noGrad, square, sub, tensor } from 'tensile';
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

describe('splitTraining, leave-types-out', () => {
  const spec: [string, number, number][] = [
    ['normal', 0, 100], ['neptune', 1, 60], ['pod', 1, 12], ['back', 1, 25], ['teardrop', 1, 30], ['land', 1, 3],
    ['satan', 2, 40], ['nmap', 2, 15], ['warezclient', 3, 30], ['guess_passwd', 3, 11],
  ];
  const attacks = spec.flatMap(([name, , count]) => new Array<string>(count).fill(name));
  const categories = spec.flatMap(([, category, count]) => new Array<number>(count).fill(category));
  const split = (seed: number) => splitTraining(attacks, categories, { fraction: 0.1, seed, minHeldOut: 10, rule: 'leave-types-out' });

  it('holds out half (rounded up) of each category\'s eligible types, never the most common or a rare one', () => {
    for (let seed = 0; seed < 8; seed++) {
      const { heldOutAttacks, fitRows, validationRows } = split(seed);
      // DoS candidates pod, back, teardrop → 2; Probe nmap → 1; R2L guess_passwd → 1; neptune, satan, warezclient are the most common, land is rare.
      assert.equal(heldOutAttacks.filter((a) => ['pod', 'back', 'teardrop'].includes(a)).length, 2, `seed ${seed}: ${heldOutAttacks.join(',')}`);
      assert.ok(heldOutAttacks.includes('nmap') && heldOutAttacks.includes('guess_passwd'));
      assert.equal(heldOutAttacks.length, 4);
      assert.ok(fitRows.every((row) => !heldOutAttacks.includes(attacks[row]!)), 'no held-out type is fitted on');
      const heldOutRecords = attacks.filter((a) => heldOutAttacks.includes(a)).length;
      assert.equal(validationRows.length, heldOutRecords + Math.round(0.1 * (attacks.length - heldOutRecords)));
      assert.equal(new Set([...fitRows, ...validationRows]).size, attacks.length);
    }
  });

  it('is deterministic by the seed, and the seed chooses the types', () => {
    assert.deepEqual(split(3), split(3));
    const choices = new Set(Array.from({ length: 8 }, (_, seed) => split(seed).heldOutAttacks.join(',')));
    assert.ok(choices.size > 1, `one choice for every seed: ${[...choices].join(' | ')}`);
  });
});

describe('shift-balanced thresholds', () => {
  it('weighs normal, known and unseen records as three equal groups', () => {
    const groups = [NORMAL, NORMAL, NORMAL, NORMAL, KNOWN_ATTACK, KNOWN_ATTACK, UNSEEN_ATTACK];
    // normal passed 3/4, known flagged 2/2, unseen flagged 0/1.
    assert.equal(shiftBalancedAccuracy([true, false, false, false, true, true, false], groups), (0.75 + 1 + 0) / 3);
    assert.equal(shiftBalancedAccuracy([false, true], [NORMAL, KNOWN_ATTACK]), 1, 'absent groups do not count');
    assert.throws(() => shiftBalancedAccuracy([true], [NORMAL, NORMAL]), /1 verdicts and 2 groups/);
  });

  it('normal-share cuts flag that share of the normal records', () => {
    const scores = Array.from({ length: 200 }, (_, i) => i / 200);
    const groups = scores.map(() => NORMAL);
    const cuts = normalShareCuts(scores, groups, [0, 0.05, 0.2]);
    assert.deepEqual(cuts.map((t) => scores.filter((s) => s >= t).length), [0, 10, 40]);
  });

  it('the combined rule finds a pair that beats either part alone, and its one score is ≥ 1 exactly when either part flags', () => {
    // Supervised catches the known attacks, the anomaly score the unseen ones; neither alone catches both.
    const groups = [...new Array<number>(100).fill(NORMAL), ...new Array<number>(20).fill(KNOWN_ATTACK), ...new Array<number>(20).fill(UNSEEN_ATTACK)];
    const random = new Generator(5);
    const supervised = groups.map((g) => (g === KNOWN_ATTACK ? 0.9 : 0.1) + 0.05 * random.random());
    const anomaly = groups.map((g) => (g === UNSEEN_ATTACK ? 3 : 1) + 0.5 * random.random());
    const pair = bestEitherThresholds(supervised, anomaly, groups);
    assert.equal(pair.criterion, 1);
    const flagged = supervised.map((s, i) => eitherScore(s, anomaly[i]!, pair) >= 1);
    assert.deepEqual(flagged, supervised.map((s, i) => s >= pair.supervised || anomaly[i]! >= pair.anomaly));
    assert.equal(shiftBalancedAccuracy(flagged, groups), 1);
    const alone = Math.max(...normalShareCuts(supervised, groups).map((t) => shiftBalancedAccuracy(supervised.map((s) => s >= t), groups)));
    assert.ok(alone < 0.9, `the supervised part alone reaches ${alone}`);
  });
});

describe('anomaly score', () => {
  const width = 6;
  const settings = { ...ANOMALY_SETTINGS, codeSize: 2, encoderHidden: [16], generatorHidden: [16], discriminator: { hidden: [8, 4], dropout: 0 } };
  /** "Normal" records lie near a 2-d subspace of [0, 1]^6; "attacks" do not. */
  function records(count: number, normal: boolean, random: Generator): Float32Array {
    const out = new Float32Array(count * width);
    for (let i = 0; i < count; i++) {
      const [a, b] = [random.random(), random.random()];
      const row = normal ? [a, b, (a + b) / 2, 1 - a, 1 - b, a * 0.5] : Array.from({ length: width }, () => random.random());
      out.set(row, i * width);
    }
    return out;
  }

  it('is the per-record mix (1 − w)·reconstruction error + w·feature distance', () => {
    manualSeed(3);
    const networks = anomalyNetworks(width, settings);
    const x = records(5, true, new Generator(1));
    const [rec, feat] = noGrad(() => {
      const input = tensor(x, [5, width]);
      const reconstruction = networks.generator.forward(networks.encoder.forward(input));
      const features = (t: typeof input) => networks.discriminator.layers.slice(0, -1).reduce((h, layer) => layer.forward(h), t);
      return [mean(square(sub(reconstruction, input)), 1).dataSync(), mean(square(sub(features(reconstruction), features(input))), 1).dataSync()];
    });
    for (const w of [0, 0.1, 1]) {
      const scores = anomalyScores(networks, x, 5, width, w, 2);
      scores.forEach((score, i) => assert.ok(Math.abs(score - ((1 - w) * rec[i]! + w * feat[i]!)) < 1e-6, `w ${w} record ${i}: ${score}`));
    }
  });

  it('trained on normal records only, scores records unlike them higher', () => {
    manualSeed(4);
    const random = new Generator(2);
    const networks = anomalyNetworks(width, settings);
    const features = records(512, true, random);
    const normal = { features, count: 512, width, binary: new Uint8Array(512), category: new Uint8Array(512) };
    const step = anomalyStep(
      networks,
      {
        reconstruction: new Adam([...networks.encoder.parameters(), ...networks.generator.parameters()], { learningRate: 0.01, beta1: 0.5 }),
        discriminator: new Adam(networks.discriminator.parameters(), { learningRate: 0.01, beta1: 0.5 }),
      },
      normal,
      settings.featureWeight,
    );
    const rows = Array.from({ length: 512 }, (_, i) => i);
    const before = anomalyScores(networks, features, 512, width, settings.featureWeight).reduce((a, b) => a + b) / 512;
    for (let epoch = 0; epoch < 40; epoch++) for (let start = 0; start < 512; start += 64) step(rows.slice(start, start + 64));
    const after = anomalyScores(networks, features, 512, width, settings.featureWeight).reduce((a, b) => a + b) / 512;
    assert.ok(after < before / 2, `the normal records' mean score fell from ${before} to ${after} only`);
    const test = [...records(100, true, random), ...records(100, false, random)];
    const scores = anomalyScores(networks, Float32Array.from(test), 200, width, settings.featureWeight);
    const { auc } = rocCurve(scores, Array.from({ length: 200 }, (_, i) => (i < 100 ? 0 : 1)));
    assert.ok(auc > 0.9, `ROC AUC normal vs unlike records ${auc}`);
  });
});

describe('IntrusionDetector', () => {
  let modelFile = '';
  let combinedFile = '';
  const lines: string[] = [];

  before(async () => {
    setDataRoot(sharedDataRoot);
    const result = await trainIds({ variants: ['mlp', 'combined'], seeds: 1, out: dir, trainLimit: 1500, maxEpochs: 2 });
    modelFile = result.models[0]!.path;
    combinedFile = result.models[1]!.path;
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

  it('the combined detector flags a record when either part does, and round-trips with its anomaly networks', async () => {
    const detector = await IntrusionDetector.load(combinedFile);
    const thresholds = detector.config.anomaly!.thresholds;
    assert.equal(detector.threshold, 1);
    assert.ok(thresholds.supervised > 0 && thresholds.anomaly > 0);
    const records = lines.map((line, i) => parseRecord(line.split(','), 'test', i + 1).features);
    const encoded = detector.encoder.transform(records);
    const { attack, supervised, anomaly } = detector.scoreEncoded(encoded, records.length);
    assert.ok(anomaly !== null);
    attack.forEach((score, i) => {
      assert.equal(score >= 1, supervised[i]! >= thresholds.supervised || anomaly[i]! >= thresholds.anomaly);
      assert.ok(Math.abs(score - eitherScore(supervised[i]!, anomaly[i]!, thresholds)) < 1e-5);
    });
    assert.ok(attack.some((s) => s >= 1) && attack.some((s) => s < 1), 'some records flagged, some not');
    const copy = IntrusionDetector.fromBytes(detector.toBytes(), 'copy');
    assert.deepEqual(copy.score(records), detector.score(records));
    const mlp = await IntrusionDetector.load(modelFile);
    const { anomaly: without } = mlp.scoreEncoded(mlp.encoder.transform(records), records.length);
    assert.equal(without, null, 'the supervised variants have no anomaly part');
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
