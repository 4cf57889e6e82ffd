/**
 * Child-process script timing one-image inference and reporting the peak RSS of a process that does
 * only that: `node latency-probe.node.js <float|int8> <model> <images.f32> <height> <width> <channels>`
 * (the model: a file or an ensemble manifest, whose networks then all classify each image).
 * Prints `{ medianMs, meanMs, images, peakRssKiB, peakRssSource, rusageMaxRssKiB }` as JSON. The
 * float mode runs the WASM backend (the parent sets TENSILE_THREADS=1); the int8 mode loads only the
 * int8 runtime, never the float one.
 *
 * Peak RSS: on Linux `process.resourceUsage().maxRSS` of a spawned child starts at the *parent's*
 * RSS (fork copies the parent's mappings and execve keeps the old high-water mark), so a child of a
 * large training process would report the parent's size. The probe therefore reports VmHWM from
 * /proc/self/status (the high-water mark of this process's own address space) where it exists, and
 * maxRSS elsewhere; both are printed.
 */
import { readFile } from 'node:fs/promises';

const WARMUP = 5;

async function timeInference(mode: string, modelPath: string, images: Float32Array, shape: [number, number, number]): Promise<number[]> {
  const pixels = shape[0] * shape[1] * shape[2];
  const count = images.length / pixels;
  const times: number[] = [];
  // The float backend is set up only for a float model, so an int8 probe never loads it.
  if (mode === 'float') await import('tensile/node');
  const { loadImageClassifier } = await import('./image-model.node.js');
  const classifier = await loadImageClassifier(modelPath);
  if (classifier.kind !== mode) throw new Error(`${modelPath}: a ${classifier.kind} model, probed as ${mode}`);
  const classify = (image: Float32Array): void => void classifier.logits(image, 1);
  for (let i = 0; i < count + WARMUP; i++) {
    const image = images.subarray((i % count) * pixels, ((i % count) + 1) * pixels);
    const start = performance.now();
    classify(image);
    if (i >= WARMUP) times.push(performance.now() - start);
  }
  return times;
}

const [mode, modelPath, imagesPath, ...dims] = process.argv.slice(2);
const shape = dims.map(Number) as [number, number, number];
const bytes = await readFile(imagesPath!);
const images = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
const times = await timeInference(mode!, modelPath!, images, shape);
const sorted = [...times].sort((a, b) => a - b);
const highWater = await readFile('/proc/self/status', 'utf8').then((status) => /VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1], () => undefined);
const rusageMaxRssKiB = process.resourceUsage().maxRSS;
process.stdout.write(`${JSON.stringify({
  medianMs: sorted[Math.floor(sorted.length / 2)],
  meanMs: times.reduce((a, b) => a + b, 0) / times.length,
  images: times.length,
  peakRssKiB: highWater === undefined ? rusageMaxRssKiB : Number(highWater),
  peakRssSource: highWater === undefined ? 'process.resourceUsage().maxRSS' : 'VmHWM (/proc/self/status)',
  rusageMaxRssKiB,
})}\n`);
