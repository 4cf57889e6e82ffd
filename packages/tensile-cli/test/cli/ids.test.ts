/** End-to-end: `tensile ids train | evaluate | score` on slices of real NSL-KDD, as a user runs them. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { sharedDataRoot, sharedDataset, tempDir } from 'tensile-test-support';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

async function tensile(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [cli, '--data-root', sharedDataRoot, ...args], { maxBuffer: 1 << 24 });
}

const dir = await tempDir('tensile-ids-');
const models = path.join(dir, 'models');

describe('tensile ids', () => {
  before(async () => {
    await tensile('ids', 'train', '--variant', 'all', '--seeds', '2', '--epochs', '2', '--train-limit', '2000', '--out', models);
  });

  it('train saves one model file per variant and seed, and training.json', async () => {
    const training = JSON.parse(await readFile(path.join(models, 'training.json'), 'utf8')) as {
      splits: { rule: string; variants: string[]; trainRecords: number; validationRecords: number; heldOutAttacks: string[]; heldOutRecords: number; fitAttacks: string[] }[];
      models: { variant: string; seed: number; path: string; threshold: number; bestEpoch: number; parts?: Record<string, { shiftBalancedAccuracy: number }> }[];
    };
    assert.deepEqual(training.splits.map((s) => [s.rule, s.variants]), [['rarest-type', ['gan', 'mlp', 'logreg']], ['leave-types-out', ['combined']]]);
    for (const split of training.splits) {
      assert.equal(split.trainRecords + split.validationRecords, 2000);
      // Attack types held out of training entirely, plus 10% of the rest.
      assert.ok(split.heldOutAttacks.length > 0 && split.heldOutRecords > 0);
      assert.ok(split.heldOutAttacks.every((type) => !split.fitAttacks.includes(type)));
      assert.equal(split.validationRecords, split.heldOutRecords + Math.round(0.1 * (2000 - split.heldOutRecords)));
    }
    assert.deepEqual(
      training.models.map((m) => `${m.variant}-${m.seed}`),
      ['gan-1', 'mlp-1', 'logreg-1', 'combined-1', 'gan-2', 'mlp-2', 'logreg-2', 'combined-2'],
    );
    for (const m of training.models) {
      assert.equal(path.basename(m.path), `${m.variant}-seed${m.seed}.safetensors`);
      // The combined detector's score is max(P / t_s, anomaly / t_a): an attack at 1.
      if (m.variant === 'combined') assert.equal(m.threshold, 1);
      else assert.ok(m.threshold > 0 && m.threshold < 1, `threshold ${m.threshold}`);
      assert.ok(m.bestEpoch >= 1 && m.bestEpoch <= 2);
    }
    const combined = training.models.find((m) => m.variant === 'combined')!;
    // Both thresholds are chosen together, so the pair does at least as well on validation as either part alone.
    const parts = combined.parts!;
    assert.ok(parts['combined']!.shiftBalancedAccuracy >= Math.max(parts['supervised']!.shiftBalancedAccuracy, parts['anomaly']!.shiftBalancedAccuracy) - 1e-9);
  });

  it('evaluate writes a report, ROC images and JSON that agree', async () => {
    const out = path.join(dir, 'report');
    const { stdout } = await tensile('--json', 'ids', 'evaluate', '--model', models, '--test-limit', '300', '--out', out);
    const printed = JSON.parse(stdout) as {
      models: {
        variant: string;
        results: Record<string, { accuracy: number; rocAuc: number; records: number; confusion: number[][]; detectionByType: Record<string, { records: number; flagged: number; known: boolean }>; unseenDetectionRate: number; parts?: { anomaly: { rocAuc: number } } }>;
      }[];
    };
    const results = JSON.parse(await readFile(path.join(out, 'results.json'), 'utf8')) as typeof printed;
    assert.equal(results.models.length, 8);
    assert.deepEqual(printed.models.map((m) => m.results['KDDTest+']!.accuracy), results.models.map((m) => m.results['KDDTest+']!.accuracy));
    for (const m of results.models) {
      for (const file of ['KDDTest+', 'KDDTest-21']) {
        const r = m.results[file]!;
        assert.equal(r.records, 300);
        assert.equal(r.confusion.flat().reduce((a, b) => a + b, 0), 300);
        // Chance is 0.5; the MLP after 2 epochs on 1,000-odd records should be clearly better.
        if (file === 'KDDTest+') assert.ok(r.rocAuc > (m.variant === 'mlp' ? 0.75 : 0.55), `${m.variant} ROC AUC ${r.rocAuc}`);
      }
    }
    for (const m of results.models) {
      const r = m.results['KDDTest+']!;
      const attacks = r.confusion[1]![0]! + r.confusion[1]![1]!;
      assert.equal(Object.values(r.detectionByType).reduce((n, t) => n + t.records, 0), attacks, 'every attack record has its type');
      assert.equal(Object.values(r.detectionByType).reduce((n, t) => n + t.flagged, 0), r.confusion[1]![1]!);
      assert.ok(Object.values(r.detectionByType).some((t) => !t.known), 'KDDTest+ has types the training slice lacks');
      assert.equal(r.parts !== undefined, m.variant === 'combined', 'only the combined detector has an anomaly part');
      if (r.parts) assert.ok(r.parts.anomaly.rocAuc > 0.5, `anomaly score ROC AUC ${r.parts.anomaly.rocAuc}`);
    }
    // The table's accuracy for the MLP is the mean of the raw per-seed numbers.
    const mlp = results.models.filter((m) => m.variant === 'mlp').map((m) => m.results['KDDTest+']!.accuracy);
    const report = await readFile(path.join(out, 'report.md'), 'utf8');
    const row = report.split('\n').find((line) => line.startsWith('| MLP, same network (this work) | 2 |'))!;
    assert.equal(row.split('|')[3]!.trim().split(' ± ')[0], ((100 * (mlp[0]! + mlp[1]!)) / 2).toFixed(2));
    assert.match(report, /SWSNM \(GAN, Keras\) \| 86\.50/);
    assert.match(report, /How each choice was made/);
    assert.match(report, /\| Combined: MLP or anomaly GAN \(this work\) \| 2 \|/);
    assert.match(report, /## Attack types seen and unseen in training/);
    assert.match(report, /\| combined \| [\d.]+ ± [\d.]+ \| [\d.]+ ± [\d.]+ \| [\d.]+ ± [\d.]+ \|\n/, 'the ROC AUC of the parts');
    assert.match(report, /Validation split `leave-types-out`/);
    assert.match(await readFile(path.join(out, 'roc.svg'), 'utf8'), /combined: anomaly score \(seed 1\)/);
    assert.match(await readFile(path.join(out, 'roc.svg'), 'utf8'), /^<svg/);
    assert.deepEqual([...(await readFile(path.join(out, 'roc.png'))).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  });

  it('score writes one row per input row, reports malformed rows by line and summarises flagged sources', async () => {
    const lines = gunzipSync(await readFile(sharedDataset('nsl-kdd', 'KDDTest+.txt.gz'))).toString('utf8').split('\n').slice(0, 50);
    // Features only (no label/difficulty) for some rows, and three malformed rows.
    lines[3] = lines[3]!.split(',').slice(0, 41).join(',');
    lines[10] = 'not,a,record';
    lines[20] = lines[20]!.replace(/^0,/, 'abc,');
    lines[30] = lines[30]!.split(',').slice(0, 30).join(',');
    const input = path.join(dir, 'records.csv');
    await writeFile(input, `${lines.join('\n')}\n`);
    const output = path.join(dir, 'scores.csv');
    const { stdout, stderr } = await tensile('--json', 'ids', 'score', '--model', path.join(models, 'gan-seed1.safetensors'), '--input', input, '--output', output);
    const result = JSON.parse(stdout) as { rows: number; scored: number; flagged: number; malformed: { line: number }[]; sources: { source: string; flagged: number; records: number }[] };
    assert.equal(result.rows, 50);
    assert.equal(result.scored, 47);
    assert.deepEqual(result.malformed.map((m) => m.line), [11, 21, 31]);
    assert.match(stderr, /records\.csv line 21: column 1 \(duration\) holds "abc"/);
    const rows = (await readFile(output, 'utf8')).trim().split('\n');
    assert.equal(rows[0], 'line,score,verdict,category,source,label,error');
    assert.equal(rows.length - 1, 50, 'one output row per input row');
    assert.deepEqual(rows.slice(1).map((r) => Number(r.split(',')[0])), Array.from({ length: 50 }, (_, i) => i + 1));
    assert.match(rows[11]!, /^11,,malformed,/);
    assert.equal(result.sources.reduce((n, s) => n + s.flagged, 0), result.flagged);
    assert.ok(result.sources.every((s) => /^(tcp|udp|icmp)\//.test(s.source)));
    // The combined detector scores the same file, flagging at its score 1.
    const combined = JSON.parse(
      (await tensile('--json', 'ids', 'score', '--model', path.join(models, 'combined-seed1.safetensors'), '--input', input, '--output', path.join(dir, 'combined.csv'))).stdout,
    ) as { scored: number; threshold: number };
    assert.deepEqual([combined.scored, combined.threshold], [47, 1]);
  });

  it('bad options and files fail with a message', async () => {
    await assert.rejects(tensile('ids', 'train', '--variant', 'svm'), (e: { stderr: string }) => /unknown variant 'svm'/.test(e.stderr));
    await assert.rejects(tensile('ids', 'score', '--model', path.join(dir, 'none.safetensors'), '--input', 'x.csv'), (e: { stderr: string }) => /none\.safetensors: cannot be read/.test(e.stderr));
    await assert.rejects(
      tensile('catsdogs', 'predict', '--model', path.join(models, 'mlp-seed1.safetensors'), 'x.jpg'),
      (e: { stderr: string }) => /mlp-seed1\.safetensors: is an intrusion detector \(written by tensile ids train\), not a cats-vs-dogs classifier/.test(e.stderr),
    );
    await assert.rejects(
      tensile('ids', 'score', '--model', models, '--input', 'x.csv'),
      (e: { stderr: string }) => /models: is a folder without model\.ensemble\.json or model\.safetensors; pass one of its model files: .*mlp-seed1\.safetensors/.test(e.stderr),
    );
    await assert.rejects(
      tensile('export', 'onnx', path.join(models, 'combined-seed1.safetensors'), path.join(dir, 'combined.onnx')),
      (e: { stderr: string }) => /combined-seed1\.safetensors: is a combined detector \(MLP or anomaly GAN\)/.test(e.stderr),
    );
    const missing = path.join(dir, 'missing.csv');
    await assert.rejects(
      tensile('ids', 'score', '--model', path.join(models, 'mlp-seed1.safetensors'), '--input', missing),
      (e: { stderr: string }) => e.stderr.includes(`${missing}: cannot be read`),
    );
    assert.deepEqual((await readdir(dir)).filter((name) => name.includes('missing')), [], 'no output or temporary file is left behind');
    const notUtf8 = path.join(dir, 'latin1.csv');
    await writeFile(notUtf8, Uint8Array.of(0x30, 0x2c, 0x74, 0x63, 0x70, 0xe9, 0x0a));
    await assert.rejects(
      tensile('ids', 'score', '--model', path.join(models, 'mlp-seed1.safetensors'), '--input', notUtf8),
      (e: { stderr: string }) => e.stderr.includes(`${notUtf8}`) && /UTF-8/.test(e.stderr),
    );
    await assert.rejects(
      tensile('ids', 'score', '--model', path.join(models, 'mlp-seed1.safetensors'), '--input', 'x.csv', '--threshold', '2'),
      (e: { stderr: string }) => /expected a threshold in \[0, 1\], got '2'/.test(e.stderr),
    );
  });
});
