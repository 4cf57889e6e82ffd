/**
 * End to end in Chromium: `tensile demo` builds the page from the MNIST data root and serves it
 * cross-origin isolated; the page trains the MNIST CNN for one epoch on 2,000 digits, scores 500 test
 * digits, says how many threads it got, and classifies a digit drawn on its canvas. The same model
 * then trains the same steps in Node, and the step times of both are reported (BENCHMARKS.md).
 * Screenshots go to $TENSILE_SCREENSHOTS when set (the README's is made with TENSILE_SCREENSHOTS=docs/browser).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Adam, labeledImageTensors, manualSeed, ready, SparseCategoricalCrossentropy } from 'tensile';
import { datasets, setDataRoot } from 'tensile/node';
import { sharedDataRoot, sharedDataset, tempDir } from 'tensile-test-support';
import { DEMO_BATCH_SIZE, DEMO_LEARNING_RATE } from '../../src/apps/demo/digits.js';
import type { DemoState } from '../../src/apps/demo/page/main.js';
import { StepTimer } from '../../src/apps/demo/step-timer.js';
import { mnistCnn } from '../../src/apps/mnist/model.js';
import { launchChromium } from '../browser/chromium.js';

const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const screenshots = process.env.TENSILE_SCREENSHOTS;
const TRAIN_DIGITS = 2000;
const TEST_DIGITS = 500;
/** One epoch of 2,000 digits (32 steps) reaches 80–90% on the 500 test digits; chance is 10%. */
const MIN_TEST_ACCURACY = 0.75;

async function startDemo(outDir: string): Promise<string> {
  const child = spawn(process.execPath, [cli, '--data-root', sharedDataRoot, 'demo', '--port', '0', '--out', outDir, '--train-digits', String(TRAIN_DIGITS), '--test-digits', String(TEST_DIGITS)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  after(() => child.kill('SIGTERM'));
  return new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /tensile demo: (\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`tensile demo exited with ${code}: ${output}`)));
  });
}

/** Mean step time of the demo's model trained in Node on the same digits, batch size and optimizer. */
async function nodeStepMs(): Promise<number> {
  setDataRoot(sharedDataRoot);
  const { train } = await datasets.mnist();
  const { x, y } = labeledImageTensors(train, 0, TRAIN_DIGITS);
  await ready(); // every worker thread running, as the page's are
  manualSeed(1);
  const model = mnistCnn('relu');
  model.compile({ optimizer: new Adam({ learningRate: DEMO_LEARNING_RATE }), loss: new SparseCategoricalCrossentropy({ fromLogits: true }), metrics: ['accuracy'] });
  const timer = new StepTimer();
  await model.fit(x, y, { epochs: 1, batchSize: DEMO_BATCH_SIZE, verbose: 0, callbacks: [timer] });
  return timer.meanMs;
}

describe('tensile demo in a browser', () => {
  it('trains one epoch in the page, reports its threads and classifies a drawn digit', { timeout: 180_000 }, async (t) => {
    if (!existsSync(sharedDataset('mnist'))) {
      t.skip(`no MNIST under ${sharedDataRoot}`);
      return;
    }
    const browser = await launchChromium(t);
    if (!browser) return;
    const url = await startDemo(await tempDir('tensile-demo-'));
    const page = await browser.newPage({ viewport: { width: 1040, height: 900 } });
    page.setDefaultTimeout(120_000);
    await page.goto(`${url}?epochs=1&autostart=1`);
    await page.waitForFunction(() => {
      const s = (globalThis as unknown as { demoState: DemoState }).demoState;
      return s.error !== null || (s.epochs >= 1 && !s.training);
    });
    const state = await page.evaluate(() => (globalThis as unknown as { demoState: DemoState }).demoState);
    assert.equal(state.error, null, state.error ?? '');
    assert.ok(state.testAccuracy >= MIN_TEST_ACCURACY, `test accuracy ${state.testAccuracy} after one epoch of ${TRAIN_DIGITS} digits is below ${MIN_TEST_ACCURACY}`);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    assert.equal(state.threads, Math.min(cores, 64), 'a cross-origin-isolated page gets a thread per core');
    assert.match(await page.locator('#threads').innerText(), new RegExp(`^${state.threads} threads? \\(cross-origin isolated`));
    assert.equal(await page.locator('#confusion td').count(), 100);
    assert.equal(await page.locator('#samples figure').count(), 24);

    // A "1": one thick vertical stroke down the middle of the pad.
    const pad = await page.locator('#pad').boundingBox();
    assert.ok(pad);
    await page.mouse.move(pad.x + pad.width / 2, pad.y + pad.height * 0.15);
    await page.mouse.down();
    await page.mouse.move(pad.x + pad.width / 2, pad.y + pad.height * 0.85, { steps: 12 });
    await page.mouse.up();
    await page.locator('#classify').click();
    await page.locator('#drawn-prediction').filter({ hasText: 'It looks like a' }).waitFor();
    const drawn = await page.evaluate(() => (globalThis as unknown as { demoState: DemoState }).demoState.drawnDigit);
    assert.equal(drawn, 1, 'the vertical stroke is classified as a 1');
    if (screenshots !== undefined) {
      await mkdir(screenshots, { recursive: true });
      await page.screenshot({ path: path.join(screenshots, 'demo.png'), fullPage: true });
    }
    await page.close();

    const nodeMs = await nodeStepMs();
    t.diagnostic(`demo CNN, batch ${DEMO_BATCH_SIZE}, ${state.steps} steps: Chromium ${state.stepMs.toFixed(1)} ms/step on ${state.threads} threads, ` +
      `Node ${nodeMs.toFixed(1)} ms/step; ratio ${(state.stepMs / nodeMs).toFixed(2)}; test accuracy ${(100 * state.testAccuracy).toFixed(1)}%`);
  });
});
