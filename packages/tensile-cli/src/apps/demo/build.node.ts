/**
 * Builds the in-browser demo as a static folder any server can host: the page bundled with esbuild
 * (demo.js and the thread pool's worker.web.js, minified, with source maps), its HTML and CSS from
 * web/demo, and the digits — a gray PNG sprite of the first MNIST training and test digits from the
 * data root, with their labels in digits.json. Nothing of the dataset is committed: the sprite is made here.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RawImage } from 'tensile';
import { datasets, writeFileAtomic } from 'tensile/node';
import { encodePng } from '../report/image-grid.node.js';
import { DIGIT_SIZE, SPRITE_COLUMNS, type DigitSpriteIndex } from './digits.js';

export interface BuildDemoOptions {
  readonly outDir: string;
  readonly trainDigits: number;
  readonly testDigits: number;
}

/** The package folder (three levels above dist/src/apps/demo or build/src/apps/demo). */
const packageDir = fileURLToPath(new URL('../../../../', import.meta.url));
const pageEntry = fileURLToPath(new URL('./page/main.js', import.meta.url));
const webDir = path.join(packageDir, 'web', 'demo');

async function bundlePage(outDir: string): Promise<void> {
  const esbuild = await import('esbuild').catch((error: unknown) => {
    throw new Error(`tensile demo: esbuild, a development dependency of tensile-cli, bundles the page; run 'npm install' in the repository (${String(error)})`);
  });
  // The worker is its own entry: esbuild leaves `new URL('./worker.web.js', import.meta.url)` as written.
  await esbuild.build({
    entryPoints: { demo: pageEntry, 'worker.web': 'tensile/wasm-worker' },
    outdir: outDir,
    absWorkingDir: packageDir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    minify: true,
    sourcemap: true,
    logLevel: 'error',
  });
}

/** Tiles of `count` digits from `first`, row-major, `SPRITE_COLUMNS` per row, into `sprite` from tile `at`. */
function drawTiles(sprite: RawImage, images: Uint8Array, first: number, count: number, at: number): void {
  const pixels = DIGIT_SIZE * DIGIT_SIZE;
  for (let i = 0; i < count; i++) {
    const tile = at + i;
    const left = (tile % SPRITE_COLUMNS) * DIGIT_SIZE;
    const top = Math.floor(tile / SPRITE_COLUMNS) * DIGIT_SIZE;
    for (let y = 0; y < DIGIT_SIZE; y++) {
      const from = (first + i) * pixels + y * DIGIT_SIZE;
      sprite.data.set(images.subarray(from, from + DIGIT_SIZE), (top + y) * sprite.width + left);
    }
  }
}

async function writeDigits(outDir: string, trainDigits: number, testDigits: number): Promise<void> {
  const { train, test } = await datasets.mnist();
  const trainCount = Math.min(trainDigits, train.labels.length);
  const testCount = Math.min(testDigits, test.labels.length);
  const rows = Math.ceil((trainCount + testCount) / SPRITE_COLUMNS);
  const sprite = new RawImage(new Uint8Array(rows * DIGIT_SIZE * SPRITE_COLUMNS * DIGIT_SIZE), SPRITE_COLUMNS * DIGIT_SIZE, rows * DIGIT_SIZE, 1);
  drawTiles(sprite, train.images, 0, trainCount, 0);
  drawTiles(sprite, test.images, 0, testCount, trainCount);
  const index: DigitSpriteIndex = {
    columns: SPRITE_COLUMNS,
    trainCount,
    testCount,
    labels: [...train.labels.subarray(0, trainCount), ...test.labels.subarray(0, testCount)],
  };
  await writeFileAtomic(path.join(outDir, 'digits.png'), encodePng(sprite));
  await writeFileAtomic(path.join(outDir, 'digits.json'), new TextEncoder().encode(`${JSON.stringify(index)}\n`));
}

/** Writes the demo folder (created when missing; files of an earlier build are replaced). */
export async function buildDemo(options: BuildDemoOptions): Promise<void> {
  await mkdir(options.outDir, { recursive: true });
  await bundlePage(options.outDir);
  for (const file of ['index.html', 'style.css']) await copyFile(path.join(webDir, file), path.join(options.outDir, file));
  await writeDigits(options.outDir, options.trainDigits, options.testDigits);
}
