/**
 * Images per second of the cats-vs-dogs input pipeline: read JPEG, decode, grayscale, area-resize
 * to 50×50, seeded augmentation (crop 90 % + flip + brightness), normalise, batch of 32 into NHWC
 * tensors. Run: `npx tsc -p tsconfig.json && node build/bench/data-pipeline.js [images]`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import 'tensile'; // registers the tensor backends used by batch()
import { catsDogs, imageFileDataset } from 'tensile/node';
import { augment, Generator, normalize, resize, toGrayscale } from 'tensile';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const root = process.env.TENSILE_DATA ?? path.resolve(repositoryRoot, '..', 'shared/datasets');
const limit = Number(process.argv[2] ?? 2000);

const { train } = await catsDogs({ root });
const files = train.files.slice(0, limit);
const random = new Generator(42);

async function measure(label: string, run: () => Promise<number>): Promise<void> {
  const start = performance.now();
  const images = await run();
  const seconds = (performance.now() - start) / 1000;
  console.log(`${label}: ${images} images in ${seconds.toFixed(2)} s = ${(images / seconds).toFixed(0)} images/s`);
}

await measure('decode only', async () => (await imageFileDataset(files).count()));
await measure('decode + gray + resize 50×50 + augment + normalise + batch 32', async () => {
  const batches = imageFileDataset(files, { parallel: 8 })
    .map(({ image, label }) => ({
      x: normalize(augment(resize(toGrayscale(image), 50, 50, 'area'), random, { cropFraction: 0.9, brightness: 0.1 })),
      y: label,
    }))
    .batch(32)
    .prefetch(2);
  let images = 0;
  for await (const batch of batches) {
    images += batch.x.shape[0]!;
    batch.x.dispose();
    batch.y.dispose();
  }
  return images;
});

// Decode and resize once, cache the 50×50 images, augment per epoch: later epochs skip the JPEG work.
const decodedOnce = imageFileDataset(files, { parallel: 8 })
  .map(({ image, label }) => ({ image: resize(toGrayscale(image), 50, 50, 'area'), label }))
  .cache();
const epoch = async (): Promise<number> => {
  let images = 0;
  const batches = decodedOnce
    .map(({ image, label }) => ({ x: normalize(augment(image, random, { cropFraction: 0.9, brightness: 0.1 })), y: label }))
    .batch(32);
  for await (const batch of batches) {
    images += batch.x.shape[0]!;
    batch.x.dispose();
    batch.y.dispose();
  }
  return images;
};
await measure('cached pipeline, epoch 1 (decodes)', epoch);
await measure('cached pipeline, epoch 2 (augment + batch from memory)', epoch);
