/**
 * The training dashboard: a page opened before a run shows its points live, one opened after the run
 * receives them all again, in Chromium; `tensile train mnist --dashboard 0` serves the stream of a real
 * run. Screenshots go to $TENSILE_SCREENSHOTS when set (TENSILE_SCREENSHOTS=docs/browser for the docs).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { Adam, Dense, Flatten, labeledImageTensors, manualSeed, Sequential } from 'tensile';
import { datasets, setDataRoot } from 'tensile/node';
import { sharedDataRoot, sharedDataset } from 'tensile-test-support';
import { Dashboard } from '../../src/apps/dashboard/dashboard.node.js';
import type { DashboardEvent } from '../../src/apps/dashboard/events.js';
import type { DashboardState } from '../../src/apps/dashboard/page/dashboard-page.js';
import { launchChromium } from '../browser/chromium.js';

const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const screenshots = process.env.TENSILE_SCREENSHOTS;
const pageState = (page: Page): Promise<DashboardState> => page.evaluate(() => (globalThis as unknown as { dashboardState: DashboardState }).dashboardState);

describe('training dashboard', () => {
  it('streams a run to a page opened before it and replays it to one opened after', { timeout: 120_000 }, async (t) => {
    if (!existsSync(sharedDataset('mnist'))) {
      t.skip(`no MNIST under ${sharedDataRoot}`);
      return;
    }
    const browser = await launchChromium(t);
    if (!browser) return;
    setDataRoot(sharedDataRoot);
    const { train } = await datasets.mnist();
    const { x, y } = labeledImageTensors(train, 0, 1280);
    manualSeed(3);
    const model = new Sequential([new Flatten(), new Dense({ units: 64, activation: 'relu' }), new Dense({ units: 10, activation: 'softmax' })], { inputShape: [28, 28, 1], name: 'mnist_mlp' });
    model.compile({ optimizer: new Adam({ learningRate: 2e-3 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const dashboard = new Dashboard({ port: 0 });
    after(() => dashboard.close());
    const url = await dashboard.start();

    const live = await browser.newPage({ viewport: { width: 960, height: 760 } });
    await live.goto(url);
    await live.waitForFunction(() => (globalThis as unknown as { dashboardState: DashboardState }).dashboardState.connected);
    // 1,024 training digits in batches of 64 (256 held out): 16 steps an epoch, 3 epochs.
    await model.fit(x, y, { epochs: 3, batchSize: 64, validationSplit: 0.2, verbose: 0, callbacks: [dashboard] });
    await live.waitForFunction(() => (globalThis as unknown as { dashboardState: DashboardState }).dashboardState.ended);
    assert.deepEqual(await pageState(live), { connected: true, steps: 48, epochs: 3, ended: true });
    assert.match(await live.locator('#summary').innerText(), /^epoch 3, step 48: loss \d\.\d{4} · accuracy \d\.\d{4} · val_loss \d\.\d{4} · val_accuracy \d\.\d{4}$/);
    assert.equal(await live.locator('#title').innerText(), 'mnist_mlp');

    const late = await browser.newPage({ viewport: { width: 960, height: 760 } });
    await late.goto(url);
    await late.waitForFunction(() => (globalThis as unknown as { dashboardState: DashboardState }).dashboardState.ended);
    assert.deepEqual(await pageState(late), { connected: true, steps: 48, epochs: 3, ended: true });
    if (screenshots !== undefined) {
      await mkdir(screenshots, { recursive: true });
      await late.screenshot({ path: path.join(screenshots, 'dashboard.png'), fullPage: true });
    }
  });

  it('tensile train mnist --dashboard 0 serves the run as it trains', { timeout: 120_000 }, async (t) => {
    if (!existsSync(sharedDataset('mnist'))) {
      t.skip(`no MNIST under ${sharedDataRoot}`);
      return;
    }
    const child = spawn(process.execPath, [cli, '--data-root', sharedDataRoot, '--json', 'train', 'mnist', '--epochs', '1', '--train-limit', '256', '--test-limit', '100', '--dashboard', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    after(() => child.kill('SIGTERM'));
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /dashboard: (\S+)/.exec(stderr);
        if (match) resolve(match[1]!);
      });
      void exited.then((code) => reject(new Error(`tensile train mnist exited with ${code} before serving a dashboard: ${stderr}`)));
    });
    // The URL is printed before MNIST loads, so the stream is opened before the first step.
    const response = await fetch(new URL('events', url));
    assert.equal(response.headers.get('content-type'), 'text/event-stream');
    const events: DashboardEvent[] = [];
    let text = '';
    const reader = response.body!.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      text += Buffer.from(read.value).toString();
      const parts = text.split('\n\n');
      text = parts.pop()!;
      for (const part of parts) events.push(JSON.parse(part.replace(/^data: /, '')) as DashboardEvent);
      if (events.at(-1)?.type === 'end') break;
    }
    await reader.cancel();
    assert.equal(await exited, 0);
    assert.deepEqual(events.map((e) => e.type), ['begin', 'step', 'step', 'step', 'step', 'epoch', 'end']);
    const step = events[1]!;
    assert.ok(step.type === 'step' && step.learningRate > 0 && step.stepMs > 0 && step.rssBytes > 0);
    assert.deepEqual(Object.keys(step.logs).sort(), ['accuracy', 'loss']);
    assert.equal((JSON.parse(stdout) as { trainSamples: number }).trainSamples, 256);
  });
});
