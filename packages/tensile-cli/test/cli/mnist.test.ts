/** End-to-end: the `tensile` command on a slice of real MNIST, as a user runs it. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sharedDataRoot } from 'tensile-test-support';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

async function tensile(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [cli, '--data-root', sharedDataRoot, ...args], { maxBuffer: 1 << 24 });
}

describe('tensile command', () => {
  it('--help lists the commands and bad options fail with a message', async () => {
    const { stdout } = await tensile('--help');
    assert.match(stdout, /train/);
    assert.match(stdout, /study/);
    await assert.rejects(tensile('train', 'mnist', '--epochs', 'zero'), (e: { stderr: string }) => /expected a positive integer, got 'zero'/.test(e.stderr));
    await assert.rejects(tensile('train', 'mnist', '--activation', 'nope'), (e: { stderr: string }) => /unknown activation 'nope'/.test(e.stderr));
  });

  it('train mnist trains, scores, saves and prints JSON', async () => {
    const out = path.join(await mkdtemp(path.join(os.tmpdir(), 'tensile-train-')), 'model');
    const { stdout } = await tensile('--json', 'train', 'mnist', '--epochs', '1', '--train-limit', '1024', '--test-limit', '500', '--out', out);
    const result = JSON.parse(stdout) as { testAccuracy: number; trainSamples: number; testSamples: number; modelPath: string };
    assert.equal(result.trainSamples, 1024);
    assert.equal(result.testSamples, 500);
    assert.ok(result.testAccuracy > 0.5, `accuracy ${result.testAccuracy} after 16 steps should beat chance (0.1) clearly`);
    assert.ok((await stat(out)).isDirectory());

    // The folder train --out wrote is taken as a model path; another application's commands refuse it, naming what it is.
    const image = path.join(sharedDataRoot, 'cats-dogs', 'cats_and_dogs_filtered', 'validation', 'cats', 'cat.2000.jpg');
    await assert.rejects(
      tensile('catsdogs', 'predict', '--model', out, image),
      (e: { stderr: string }) => e.stderr.includes(`${path.join(out, 'model.safetensors')}: is an MNIST digit classifier (written by tensile train mnist): a Sequential model 'mnist_cnn_relu' with input [28,28,1], not a cats-vs-dogs classifier`),
    );
    for (const command of [['quantize', '--calibration', path.dirname(image), '--out', path.join(out, 'q.safetensors')], ['ids', 'score', '--input', image]]) {
      await assert.rejects(tensile(...command, '--model', out), (e: { stderr: string }) => /model\.safetensors: is an MNIST digit classifier .*, not (a cats-vs-dogs classifier|an intrusion detector)/.test(e.stderr), command.join(' '));
    }
  });

  it('train mnist without --out says the model was not saved; counts are singular for one', async () => {
    const { stdout } = await tensile('train', 'mnist', '--epochs', '1', '--train-limit', '64', '--test-limit', '100');
    assert.match(stdout, / for 1 epoch of 64 digits;/);
    assert.match(stdout, /model not saved \(pass --out DIR to keep it\)/);
  });

  it('train mnist compiles its step by default, --no-jit runs it eagerly, --graph writes the step\'s pictures', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tensile-graph-'));
    const graph = path.join(dir, 'step.md');
    const compiled = await tensile('train', 'mnist', '--epochs', '1', '--train-limit', '64', '--test-limit', '100', '--graph', graph);
    assert.match(compiled.stdout, /compiled step: \d+ kernel calls traced, \d+ after optimisation/);
    const markdown = await readFile(graph, 'utf8');
    assert.match(markdown, /^# The MNIST CNN training step, wasm:float32\[64,28,28,1\] wasm:int32\[64\]/);
    assert.equal(markdown.match(/```mermaid\nflowchart TD/g)?.length, 2);
    assert.match(markdown, /\["fused mul → add"\]:::fused/);
    const eager = await tensile('train', 'mnist', '--epochs', '1', '--train-limit', '64', '--test-limit', '100', '--no-jit');
    assert.match(eager.stdout, /eager step \(--no-jit\)/);
    await assert.rejects(tensile('train', 'mnist', '--epochs', '1', '--train-limit', '64', '--test-limit', '100', '--no-jit', '--graph', graph), (e: { stderr: string }) => /--graph needs the compiled step \(drop --no-jit\)/.test(e.stderr));
  });

  it('a --data-root that does not exist is an error naming it', async () => {
    const missing = path.join(os.tmpdir(), 'tensile-no-such-data-root');
    await assert.rejects(
      run(process.execPath, [cli, '--data-root', missing, 'train', 'mnist', '--epochs', '1']),
      (e: { stderr: string }) => e.stderr.trim() === `tensile: ${missing}: the data root (--data-root or setDataRoot) is not an existing folder`,
    );
  });

  it('study mnist-activations writes a report, both images and JSON that agree', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'tensile-study-'));
    const study = ['study', 'mnist-activations', '--iterations', '4,8', '--seeds', '2', '--activations', 'relu,softsign', '--train-limit', '1200', '--validation-size', '200', '--test-limit', '300'];
    await tensile(...study, '--workers', '2', '--out', out);
    const report = await readFile(path.join(out, 'report.md'), 'utf8');
    const results = JSON.parse(await readFile(path.join(out, 'results.json'), 'utf8')) as {
      runs: { activation: string; seed: number; checkpoints: { iteration: number; testAccuracy: number }[] }[];
      iterations: number[];
    };
    assert.deepEqual(results.iterations, [4, 8]);
    assert.equal(results.runs.length, 4);
    // The table's cell for relu at 8 iterations is the mean ± std of the raw numbers in results.json.
    const relu8 = results.runs.filter((r) => r.activation === 'relu').map((r) => r.checkpoints.find((c) => c.iteration === 8)!.testAccuracy);
    const m = (100 * (relu8[0]! + relu8[1]!)) / 2;
    const row = report.split('\n').find((line) => line.startsWith('| relu |'))!;
    assert.equal(row.split('|')[3]!.trim().split(' ± ')[0], m.toFixed(2));
    assert.match(report, /Reproduce with:/);
    const svg = await readFile(path.join(out, 'accuracy.svg'), 'utf8');
    assert.match(svg, /^<svg/);
    assert.match(svg, /softsign/);
    const png = await readFile(path.join(out, 'accuracy.png'));
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.match(report, /2 runs trained side by side/);
    // The same runs one after another in this thread give the same numbers: a run depends on its seed only.
    const { stdout } = await tensile('--json', ...study, '--workers', '1', '--out', await mkdtemp(path.join(os.tmpdir(), 'tensile-study-')));
    const serial = JSON.parse(stdout) as typeof results & { workers: number };
    assert.equal(serial.workers, 1);
    const accuracies = (r: typeof results): number[][] => r.runs.map((run) => run.checkpoints.map((c) => c.testAccuracy));
    assert.deepEqual(accuracies(serial), accuracies(results));
  });
});
