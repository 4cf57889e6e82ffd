/**
 * The browser build, end to end: esbuild bundles a tiny app that imports 'tensile' with no
 * configuration beyond `platform: 'browser'` (the package's conditions pick Web Workers over Node's
 * worker_threads), and Chromium runs it twice — on a cross-origin-isolated page (threads through Web
 * Workers) and on a plain one (one thread, said in the console). Both train a small classifier and the
 * loss must fall. The bundle's size (minified, gzip -9) is compared with TF.js's tf.fesm.min.js.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { tempDir } from 'tensile-test-support';
import { launchChromium } from './chromium.js';
import { serveFolder } from './static-server.js';
import type { TrainAppResult } from './train-app.js';

const packageDir = fileURLToPath(new URL('../../../', import.meta.url));
const appEntry = fileURLToPath(new URL('./train-app.js', import.meta.url));

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

async function sizes(file: string): Promise<{ min: number; gzip: number }> {
  const bytes = await readFile(file);
  return { min: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

describe('tensile bundled for the browser', () => {
  it('bundles with esbuild, trains in Chromium with and without threads, and is smaller than TF.js', { timeout: 120_000 }, async (t) => {
    const outdir = await tempDir('tensile-bundle-');
    const common = { bundle: true, format: 'esm', platform: 'browser', minify: true, sourcemap: true, absWorkingDir: packageDir, logLevel: 'error' } as const;
    // The worker is its own entry: esbuild leaves `new URL('./worker.web.js', import.meta.url)` as written.
    await build({ ...common, entryPoints: { app: appEntry, 'worker.web': 'tensile/wasm-worker' }, outdir });
    await build({ ...common, stdin: { contents: "export * from 'tensile';", resolveDir: packageDir }, outfile: path.join(outdir, 'whole-library.js') });
    await writeFile(path.join(outdir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>tensile bundle</title><script type="module" src="app.js"></script>\n');

    const app = await sizes(path.join(outdir, 'app.js'));
    const whole = await sizes(path.join(outdir, 'whole-library.js'));
    const worker = await sizes(path.join(outdir, 'worker.web.js'));
    const tfjs = await sizes(createRequire(import.meta.url).resolve('@tensorflow/tfjs/dist/tf.fesm.min.js'));
    t.diagnostic(`bundle sizes (min / gzip -9): tiny training app ${kib(app.min)} / ${kib(app.gzip)}; whole library ${kib(whole.min)} / ${kib(whole.gzip)}; ` +
      `worker ${kib(worker.min)} / ${kib(worker.gzip)}; TF.js tf.fesm.min.js ${kib(tfjs.min)} / ${kib(tfjs.gzip)}`);
    assert.ok(whole.gzip < tfjs.gzip, `the whole library (${kib(whole.gzip)} gzip) is larger than TF.js (${kib(tfjs.gzip)})`);

    const browser = await launchChromium(t);
    if (!browser) return;
    for (const isolated of [true, false]) {
      const page = await browser.newPage();
      const console: string[] = [];
      page.on('console', (message) => console.push(message.text()));
      await page.goto(await serveFolder(outdir, { isolated }));
      await page.waitForFunction(() => (globalThis as { trainAppResult?: unknown }).trainAppResult !== undefined, undefined, { timeout: 60_000 });
      const result = await page.evaluate(() => (globalThis as unknown as { trainAppResult: TrainAppResult }).trainAppResult);
      assert.equal(result.error, undefined, result.error);
      assert.equal(result.backend, 'wasm');
      assert.equal(result.losses.length, 8);
      assert.ok(result.losses.at(-1)! < 0.7 * result.losses[0]!, `the loss did not fall: ${result.losses.join(', ')}`);
      const threads = console.find((line) => line.startsWith('tensile: '));
      const cores = await page.evaluate(() => navigator.hardwareConcurrency);
      t.diagnostic(`${isolated ? 'isolated' : 'plain'} page: ${threads ?? 'no thread message'}; losses ${result.losses.map((l) => l.toFixed(3)).join(' ')}`);
      if (isolated && cores > 1) assert.match(threads ?? '', /^tensile: \d+ threads \(Web Workers/);
      if (!isolated) assert.match(threads ?? '', /^tensile: 1 thread \(this page is not cross-origin isolated/);
      await page.close();
    }
  });
});
