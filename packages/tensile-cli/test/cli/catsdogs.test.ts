/**
 * End-to-end: `tensile catsdogs train|predict` and `tensile quantize` on a slice of the real photos
 * (tiny images, one epoch), including a truncated JPEG that must give a per-file error.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ready } from 'tensile';
import { loadModel } from 'tensile/node';
import { sharedDataRoot, sharedDataset, tempDir } from 'tensile-test-support';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const repositoryRoot = fileURLToPath(new URL('../../../../..', import.meta.url));
const photos = sharedDataset('cats-dogs', 'cats_and_dogs_filtered');

async function tensile(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [cli, '--data-root', sharedDataRoot, ...args], { maxBuffer: 1 << 24 });
}

interface Results {
  counts: { fit: number; selection: number; validation: number };
  runs: { seed: number; validationAccuracy: number; trainSeconds: number; networks: { seed: number; epochs: unknown[]; validationAccuracy: number; trainSeconds: number; loadedFrom?: string }[] }[];
  deployment: { floatBytes: number; int8Bytes: number; floatAccuracy: number; int8Accuracy: number; latency: { float: { medianMs: number; peakRssKiB: number }; int8: { medianMs: number; peakRssKiB: number } } | null };
  misclassified: { path: string }[];
}

// Created at load time: a tempDir made inside a before hook is removed when that hook ends.
const out = await tempDir('tensile-catsdogs-');

describe('tensile catsdogs and quantize', () => {
  let results: Results;
  let truncated = '';
  const images = [path.join(photos, 'validation', 'cats', 'cat.2000.jpg'), path.join(photos, 'validation', 'dogs', 'dog.2001.jpg')];

  before(async () => {
    const { stdout } = await tensile(
      '--json', 'catsdogs', 'train', '--size', '16', '--epochs', '1', '--seeds', '2', '--ensemble', '1', '--filters', '4,8', '--units', '8',
      '--train-limit', '40', '--validation-limit', '20', '--latency-images', '4', '--out', out,
    );
    results = JSON.parse(stdout) as Results;
    truncated = path.join(out, 'truncated.jpg');
    const bytes = await readFile(images[0]!);
    await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
  });

  it('train splits, selects, scores, quantises and writes the report, figures and models', async () => {
    assert.deepEqual(results.counts, { fit: 32, selection: 8, validation: 20 });
    assert.equal(results.runs.length, 2);
    assert.ok(results.runs.every((r) => r.networks.length === 1 && r.networks[0]!.seed === r.seed && r.networks[0]!.epochs.length === 1 && r.validationAccuracy >= 0 && r.validationAccuracy <= 1));
    assert.ok(results.runs.every((r) => r.networks[0]!.validationAccuracy === r.validationAccuracy));
    const d = results.deployment;
    // A model this tiny is mostly file header; the full-size model's ratio is in the report.
    assert.ok(d.floatBytes / d.int8Bytes > 1.5, `int8 file ${d.int8Bytes} B vs float ${d.floatBytes} B`);
    assert.ok(d.latency !== null && d.latency.float.medianMs > 0 && d.latency.int8.medianMs > 0 && d.latency.float.peakRssKiB > 0 && d.latency.int8.peakRssKiB > 0);
    const report = await readFile(path.join(out, 'report.md'), 'utf8');
    assert.match(report, /mean ± std over 2 seeds/);
    assert.match(report, /one thread/);
    assert.match(report, /Adam, learning rate 0\.002 with cosine decay to 1% over the run, batch 32, 1 epoch per seed;/);
    assert.match(report, /Reproduce with: `tensile .*catsdogs train/);
    // report.md and the curves are a function of results.json alone: regenerating them gives the same files.
    const curves = await readFile(path.join(out, 'curves.svg'), 'utf8');
    await rm(path.join(out, 'curves.svg'));
    await tensile('catsdogs', 'report', out);
    assert.equal(await readFile(path.join(out, 'report.md'), 'utf8'), report);
    assert.equal(await readFile(path.join(out, 'curves.svg'), 'utf8'), curves);
    for (const name of ['curves', 'loss', 'confusion', 'misclassified'].filter((n) => n !== 'misclassified' || results.misclassified.length > 0)) {
      assert.match(await readFile(path.join(out, `${name}.svg`), 'utf8'), /^<svg/);
      assert.deepEqual([...(await readFile(path.join(out, `${name}.png`))).subarray(1, 4)], [0x50, 0x4e, 0x47]);
    }
    for (const file of ['model.safetensors', 'model-int8.safetensors', 'models/seed-1.safetensors', 'models/seed-2.safetensors', 'results.json']) {
      assert.ok((await stat(path.join(out, file))).size > 0, file);
    }
  });

  it('train --refit fits on all training photos, keeps the last epoch and deploys seed 1; the augmentation is reported', async () => {
    const refitOut = path.join(out, 'refit');
    const { stdout } = await tensile(
      '--json', 'catsdogs', 'train', '--refit', '--size', '16', '--epochs', '2', '--seeds', '2', '--ensemble', '1', '--filters', '4', '--units', '4', '--rotation', '0.05', '--shift', '0.1',
      '--train-limit', '20', '--validation-limit', '10', '--latency-images', '0', '--out', refitOut,
    );
    const refit = JSON.parse(stdout) as Omit<Results, 'runs'> & { deployedSeed: number; runs: { selectionAccuracy: number | null; networks: { selectedEpoch: number; epochs: { selectionAccuracy: number | null }[] }[] }[] };
    assert.deepEqual(refit.counts, { fit: 20, selection: 0, validation: 10 });
    assert.equal(refit.deployedSeed, 1);
    assert.ok(refit.runs.every((r) => r.selectionAccuracy === null && r.networks.every((n) => n.selectedEpoch === 2 && n.epochs.every((e) => e.selectionAccuracy === null))));
    const report = await readFile(path.join(refitOut, 'report.md'), 'utf8');
    assert.match(report, /trained on all 20 training photos \(a refit/);
    assert.match(report, /each seed keeps its last epoch/);
    assert.match(report, /max-pool 2 → dense 4 ReLU/);
    assert.match(report, /rotations up to ±18\.0°, zooms and shifts up to ±10%, .*pixels from outside the photo left black\./);
    assert.match(report, /\| 1 \| 2 \/ 2 \| — \|/);
  });

  it('explore trains on the fit photos (here with 0 turning options off) and reports only the selection accuracy; the levers tried and not adopted are not options', async () => {
    const { stdout } = await tensile(
      '--json', 'catsdogs', 'explore', '--size', '16', '--epochs', '2', '--seeds', '1', '--ensemble', '1', '--filters', '4', '--units', '4', '--train-limit', '20', '--dropout', '0', '--rotation', '0',
    );
    const runs = JSON.parse(stdout) as { seed: number; networks: { epochs: { selectionAccuracy: number }[]; selectedEpoch: number }[]; selectionAccuracy: number }[];
    assert.equal(runs.length, 1);
    const [only] = runs;
    const [network] = only!.networks;
    assert.equal(network!.epochs.length, 2);
    assert.equal(only!.selectionAccuracy, network!.epochs[network!.selectedEpoch - 1]!.selectionAccuracy);
    assert.ok(!('validationAccuracy' in only!));
    for (const lever of ['--warmup-epochs', '--optimizer', '--weight-decay', '--label-smoothing', '--mixup', '--head', '--fill-mode', '--brightness', '--contrast', '--erasing']) {
      await assert.rejects(tensile('catsdogs', 'explore', lever, '1'), (e: { stderr: string }) => e.stderr.includes(`unknown option '${lever}'`), lever);
    }
  });

  it('the documented command, tensile catsdogs train, trains the adopted recipe by default and finds the photos from the repository root without --data-root (cut here to one seed, one epoch and a slice)', async () => {
    const documented = path.join(out, 'documented');
    const { stdout } = await run(
      process.execPath, [cli, '--json', 'catsdogs', 'train', '--seeds', '1', '--epochs', '1', '--train-limit', '40', '--validation-limit', '20', '--latency-images', '0', '--out', documented],
      { cwd: repositoryRoot, maxBuffer: 1 << 24 },
    );
    const trained = JSON.parse(stdout) as { settings: Record<string, unknown>; runs: { networks: unknown[] }[] };
    const adopted = (JSON.parse(await readFile(path.join(repositoryRoot, 'docs', 'catsdogs', 'results.json'), 'utf8')) as { settings: Record<string, unknown> }).settings;
    const recipe = (settings: Record<string, unknown>): unknown[] =>
      ['size', 'gray', 'ensemble', 'batchSize', 'learningRate', 'filters', 'convsPerStage', 'batchNorm', 'units', 'dropout', 'rotation', 'shift', 'selectionFraction', 'refit'].map((key) => [key, settings[key]]);
    assert.deepEqual(recipe(trained.settings), recipe(adopted));
    assert.equal(trained.runs[0]!.networks.length, 6);
    const { stdout: help } = await run(process.execPath, [cli, 'catsdogs', 'train', '--help']);
    assert.match(help, /--epochs <n>[^-]*\(default: 60\)/);
    assert.match(help, /--seeds <k>[^-]*\(default: 3\)/);
    assert.equal(adopted['epochs'], 60);
    assert.equal(adopted['seeds'], 3);
  });

  it('measure re-quantises and re-times the deployed model and says so in the report', async () => {
    const { stdout } = await tensile('--json', 'catsdogs', 'measure', out, '--latency-images', '3');
    const deployment = JSON.parse(stdout) as Results['deployment'];
    assert.equal(deployment.floatAccuracy, results.deployment.floatAccuracy, 'same model, same validation photos');
    assert.equal(deployment.int8Accuracy, results.deployment.int8Accuracy, 'same calibration photos, same int8 model');
    const updated = JSON.parse(await readFile(path.join(out, 'results.json'), 'utf8')) as { remeasured?: { command: string } };
    assert.match(updated.remeasured?.command ?? '', /catsdogs measure/);
    assert.match(await readFile(path.join(out, 'report.md'), 'utf8'), /measured again by `tensile .*catsdogs measure/);
  });

  it('predict labels every readable image with a probability and gives the truncated one an error', async () => {
    for (const model of ['model.safetensors', 'model-int8.safetensors']) {
      const failure = await tensile('--json', 'catsdogs', 'predict', '--model', path.join(out, model), images[0]!, truncated, images[1]!).then(
        () => assert.fail('a bad image should make the exit code non-zero'),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
      assert.equal(failure.code, 1);
      const predictions = JSON.parse(failure.stdout) as ({ file: string; label: string; probability: number } | { file: string; error: string })[];
      assert.deepEqual(predictions.map((p) => p.file), [images[0], truncated, images[1]]);
      for (const i of [0, 2]) {
        const p = predictions[i]!;
        assert.ok('label' in p && ['cat', 'dog'].includes(p.label) && p.probability >= 0.5 && p.probability <= 1, JSON.stringify(p));
      }
      assert.match(failure.stderr, /1 of 3 images could not be read/);
      const bad = predictions[1]!;
      assert.ok('error' in bad && /truncated/.test(bad.error) && bad.error.includes('truncated.jpg'), JSON.stringify(bad));
    }
  });

  it('float and int8 models give the same labels on the same photos', async () => {
    const labels = async (model: string): Promise<string[]> => {
      const { stdout } = await tensile('catsdogs', 'predict', '--model', path.join(out, model), ...images);
      return stdout.trim().split('\n').map((line) => line.split('\t')[1]!);
    };
    assert.deepEqual(await labels('model-int8.safetensors'), await labels('model.safetensors'));
    assert.deepEqual(await labels('.'), await labels('model.safetensors'), 'the train --out folder is taken as its float model');
  });

  it('quantize calibrates on a folder, skipping the unreadable image, and writes a smaller int8 model', async () => {
    const calibration = path.join(out, 'calibration');
    await run('mkdir', ['-p', calibration]);
    for (const image of images) await copyFile(image, path.join(calibration, path.basename(image)));
    await copyFile(truncated, path.join(calibration, 'truncated.jpg'));
    const target = path.join(out, 'q.safetensors');
    const { stdout } = await tensile('--json', 'quantize', '--model', path.join(out, 'model.safetensors'), '--calibration', calibration, '--out', target);
    const result = JSON.parse(stdout) as { calibrationImages: number; floatBytes: number; int8Bytes: number };
    assert.equal(result.calibrationImages, 2);
    assert.ok(result.floatBytes > 1.5 * result.int8Bytes);
    const { stdout: predicted } = await tensile('catsdogs', 'predict', '--model', target, images[0]!);
    assert.match(predicted, /cat\.2000\.jpg\t(cat|dog)\t/);
    await assert.rejects(tensile('quantize', '--model', path.join(out, 'missing.safetensors'), '--calibration', calibration, '--out', target), (e: { stderr: string }) => /missing\.safetensors/.test(e.stderr));
  });

  it('train --ensemble averages networks seeded apart; predict, quantize and measure take the ensemble manifest; a replaced member is refused', async () => {
    const ensembleOut = path.join(out, 'ensemble');
    const { stdout } = await tensile(
      '--json', 'catsdogs', 'train', '--ensemble', '2', '--size', '16', '--epochs', '1', '--seeds', '2', '--filters', '4', '--units', '4',
      '--train-limit', '40', '--validation-limit', '20', '--latency-images', '2', '--out', ensembleOut,
    );
    const trained = JSON.parse(stdout) as Results & { deployedSeed: number };
    assert.deepEqual(trained.runs.map((r) => r.networks.map((n) => n.seed)), [[1, 2], [3, 4]]);
    const float = path.join(ensembleOut, 'model.ensemble.json');
    const int8 = path.join(ensembleOut, 'model-int8.ensemble.json');
    for (const file of [float, int8, 'model-1.safetensors', 'model-2.safetensors', 'model-int8-1.safetensors', 'model-int8-2.safetensors', 'models/seed-2.ensemble.json', 'models/seed-2-2.safetensors']) {
      assert.ok((await stat(path.resolve(ensembleOut, file))).size > 0, file);
    }
    const d = trained.deployment;
    assert.ok(d.floatBytes > (await stat(path.join(ensembleOut, 'model-1.safetensors'))).size * 2, 'sizes count every network');
    assert.ok(d.latency !== null && d.latency.int8.medianMs > 0);
    const report = await readFile(path.join(ensembleOut, 'report.md'), 'utf8');
    assert.match(report, /mean ± std over 2 seeds, each an ensemble of 2 networks/);
    assert.match(report, /file size \(2 networks \+ manifest\)/);
    assert.match(report, /\| 2 \| 4 \| 1 \/ 1 \|/);

    // The deployed float ensemble scores what train reported; its int8 twin agrees with itself when rebuilt by quantize.
    const labels = async (model: string): Promise<string[]> => {
      const { stdout: lines } = await tensile('catsdogs', 'predict', '--model', model, ...images);
      return lines.trim().split('\n').map((line) => line.split('\t')[1]!);
    };
    assert.deepEqual(await labels(int8), await labels(float));
    assert.deepEqual(await labels(ensembleOut), await labels(float), 'the train --out folder is taken as its ensemble manifest');
    const calibration = path.join(ensembleOut, 'calibration');
    await run('mkdir', ['-p', calibration]);
    for (const image of images) await copyFile(image, path.join(calibration, path.basename(image)));
    const quantized = JSON.parse((await tensile('--json', 'quantize', '--model', float, '--calibration', calibration, '--out', path.join(ensembleOut, 'q.ensemble.json'))).stdout) as { out: string; networks: number; floatBytes: number; int8Bytes: number };
    assert.equal(quantized.networks, 2);
    assert.equal(quantized.floatBytes, d.floatBytes);
    assert.deepEqual(await labels(quantized.out), await labels(float));
    await assert.rejects(
      tensile('quantize', '--model', float, '--calibration', calibration, '--out', path.join(ensembleOut, 'q.safetensors')),
      (e: { stderr: string }) => /q\.safetensors: an ensemble is written as a manifest named <stem>\.ensemble\.json/.test(e.stderr),
    );

    const measured = JSON.parse((await tensile('--json', 'catsdogs', 'measure', ensembleOut, '--latency-images', '2')).stdout) as Results['deployment'];
    assert.equal(measured.floatAccuracy, d.floatAccuracy);
    assert.equal(measured.int8Accuracy, d.int8Accuracy);

    const mixed = path.join(ensembleOut, 'mixed.ensemble.json');
    const members = await Promise.all(['model-1.safetensors', 'model-int8-2.safetensors'].map(async (file) => ({ file, bytes: (await stat(path.join(ensembleOut, file))).size })));
    await writeFile(mixed, JSON.stringify({ format: 'tensile.ensemble', version: 1, combine: 'mean-softmax', members }));
    await assert.rejects(
      tensile('catsdogs', 'predict', '--model', mixed, images[0]!),
      (e: { stderr: string }) => /mixed\.ensemble\.json: ensemble members differ: float .* and int8/.test(e.stderr),
    );

    await copyFile(path.join(out, 'model.safetensors'), path.join(ensembleOut, 'model-2.safetensors'));
    await assert.rejects(
      tensile('catsdogs', 'predict', '--model', float, images[0]!),
      (e: { stderr: string }) => /model\.ensemble\.json: member 2, .*model-2\.safetensors, has \d+ bytes, the manifest recorded \d+: it was replaced or is incomplete/.test(e.stderr),
    );
  });
  it('train --reuse loads an earlier run\'s networks of the same recipe and gives what training them afresh gives; another recipe is refused', async () => {
    const recipe = ['--size', '16', '--epochs', '2', '--seeds', '2', '--filters', '4', '--units', '4', '--train-limit', '40', '--validation-limit', '20', '--latency-images', '0'];
    const train = async (dir: string, ...extra: string[]): Promise<Results> =>
      JSON.parse((await tensile('--json', 'catsdogs', 'train', ...recipe, ...extra, '--out', path.join(out, dir))).stdout) as Results;
    const earlierDir = path.join(out, 'reuse-earlier');
    await train('reuse-earlier', '--ensemble', '2');
    const fresh = await train('reuse-fresh', '--ensemble', '3');
    const grown = await train('reuse-grown', '--ensemble', '3', '--reuse', earlierDir);
    const loadedFrom = grown.runs.flatMap((r) => r.networks.map((n) => [n.seed, n.loadedFrom ?? null]));
    assert.deepEqual(loadedFrom, [[1, earlierDir], [2, earlierDir], [3, earlierDir], [4, earlierDir], [5, null], [6, null]]);
    // Everything but the timings and where networks came from: epochs, selections, every accuracy, confusion.
    const figures = (r: Results): unknown => r.runs.map(({ trainSeconds: _t, networks, ...run }) => ({ ...run, networks: networks.map(({ trainSeconds: _n, loadedFrom: _l, ...network }) => network) }));
    assert.deepEqual(figures(grown), figures(fresh));
    assert.equal(grown.deployment.int8Accuracy, fresh.deployment.int8Accuracy);
    // Network 4 was loaded, network 6 trained here: both hold exactly the fresh run's weights (layer names may differ).
    await ready();
    const weights = async (dir: string, file: string): Promise<number[][]> =>
      Object.values((await loadModel(path.join(out, dir, file), { compile: false })).stateDict()).map((tensor) => Array.from(tensor.dataSync()));
    for (const file of ['models/seed-2-1.safetensors', 'models/seed-2-3.safetensors']) {
      assert.deepEqual(await weights('reuse-grown', file), await weights('reuse-fresh', file), file);
    }
    assert.match(await readFile(path.join(out, 'reuse-grown', 'report.md'), 'utf8'), /Networks 1, 2, 3, 4 were not trained again but loaded from an earlier run of the same recipe/);

    await assert.rejects(
      train('reuse-other', '--ensemble', '3', '--dropout', '0.5', '--reuse', earlierDir),
      (e: { stderr: string }) => /catsdogs --reuse .*reuse-earlier: its networks were trained with another recipe: dropout 0\.5 here, 0\.3 there/.test(e.stderr),
    );
    await assert.rejects(
      train('reuse-earlier', '--ensemble', '3', '--reuse', `${earlierDir}/`),
      (e: { stderr: string }) => /catsdogs --reuse .*reuse-earlier\/: that is the --out folder, whose model files this run rewrites/.test(e.stderr),
    );
    await assert.rejects(
      train('reuse-none', '--reuse', path.join(out, 'absent')),
      (e: { stderr: string }) => /catsdogs --reuse: .*absent\/results\.json cannot be read as a train run's results/.test(e.stderr),
    );
  });
});
