/**
 * The small-device figures of the deployed model: post-training int8 quantisation calibrated on
 * training photos (an ensemble: member by member), file sizes (an ensemble: its members and manifest
 * together), validation accuracy float vs int8, and per-image latency and peak RSS
 * measured in one child process per mode, one thread each (TENSILE_THREADS=1 for the float backend;
 * the int8 kernels are single-threaded).
 */
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Int8Runtime, type LabeledImages, type QuantizedModel, quantizedModelToBytes, quantizeModel, type Sequential, type Tensor, ValueError } from 'tensile';
import { saveModel, writeFileAtomic } from 'tensile/node';
import { classifierBytes, writeClassifier } from './ensemble.node.js';
import { argmaxRows, averageSoftmaxLogits, score } from './metrics.js';
import { imageTensors } from './tensors.js';
import { INFERENCE_BATCH } from './inference.js';

const run = promisify(execFile);

export interface ProbeResult {
  readonly medianMs: number;
  readonly meanMs: number;
  readonly images: number;
  /** Peak resident memory of the probe process itself (see latency-probe.node.ts for why not always maxRSS). */
  readonly peakRssKiB: number;
  readonly peakRssSource: string;
  /** `process.resourceUsage().maxRSS` as reported (on Linux it includes the spawning parent's RSS). */
  readonly rusageMaxRssKiB: number;
}

export interface Deployment {
  /** The model file, or the ensemble manifest, of each kind. */
  readonly floatPath: string;
  readonly int8Path: string;
  readonly floatBytes: number;
  readonly int8Bytes: number;
  readonly calibrationImages: number;
  readonly floatAccuracy: number;
  readonly int8Accuracy: number;
  /** Predictions on which float and int8 agree, as a fraction of the validation photos. */
  readonly agreement: number;
  readonly int8Confusion: number[][];
  readonly latency: { readonly float: ProbeResult; readonly int8: ProbeResult } | null;
}

/** Calibration batches (NHWC float tensors) over the chosen images, `batch` at a time. */
export function* calibrationBatches(images: LabeledImages, indices: readonly number[], batch = INFERENCE_BATCH): Generator<Tensor> {
  for (let start = 0; start < indices.length; start += batch) yield imageTensors(images, indices.slice(start, start + batch)).x;
}

/** Quantises `model` on the calibration images and writes the int8 file. */
export async function quantizeToFile(model: Sequential, calibration: Iterable<Tensor>, out: string, metadata: Record<string, string>): Promise<QuantizedModel> {
  const quantized = await quantizeModel(model, calibration, { metadata });
  await writeFileAtomic(out, quantizedModelToBytes(quantized));
  return quantized;
}

/** Runs the latency probe for one mode in a fresh Node process. */
export async function probeLatency(mode: 'float' | 'int8', modelPath: string, imagesPath: string, shape: readonly number[]): Promise<ProbeResult> {
  const script = fileURLToPath(new URL('./latency-probe.node.js', import.meta.url));
  const { stdout } = await run(process.execPath, [script, mode, modelPath, imagesPath, ...shape.map(String)], {
    env: { ...process.env, TENSILE_THREADS: '1' },
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout) as ProbeResult;
}

export interface DeployOptions {
  readonly out: string;
  /** Validation photos timed per mode (0 skips the latency and RSS probes). */
  readonly latencyImages: number;
  readonly metadata: Record<string, string>;
}

export async function deploy(networks: readonly Sequential[], calibration: { images: LabeledImages; indices: readonly number[] }, validation: LabeledImages, floatLogits: Float32Array, options: DeployOptions): Promise<Deployment> {
  if (calibration.indices.length === 0) throw new ValueError('deploy: no calibration images');
  const floatPath = await writeClassifier(options.out, 'model', networks.length, (file, k) => saveModel(networks[k]!, file, { includeOptimizer: false }));
  const quantized: QuantizedModel[] = [];
  const int8Path = await writeClassifier(options.out, 'model-int8', networks.length, async (file, k) => {
    quantized.push(await quantizeToFile(networks[k]!, calibrationBatches(calibration.images, calibration.indices), file, options.metadata));
  });
  const classes = floatLogits.length / validation.labels.length;
  const validationX = imageTensors(validation).x.dataSync() as Float32Array;
  const int8Logits = averageSoftmaxLogits(quantized.map((model) => new Int8Runtime(model).predictLogits(validationX, validation.labels.length)), classes);
  const int8Predicted = argmaxRows(int8Logits, classes);
  const floatPredicted = argmaxRows(floatLogits, classes);
  const int8Score = score(int8Predicted, validation.labels, classes);
  let latency: Deployment['latency'] = null;
  if (options.latencyImages > 0) {
    const [, height, width, channels] = validation.shape;
    const count = Math.min(options.latencyImages, validation.labels.length);
    const imagesPath = path.join(options.out, 'latency-images.f32');
    await writeFileAtomic(imagesPath, new Uint8Array(validationX.buffer, validationX.byteOffset, count * height * width * channels * 4));
    try {
      // One after the other, so the two probes never compete for the cores.
      const float = await probeLatency('float', floatPath, imagesPath, [height, width, channels]);
      const int8 = await probeLatency('int8', int8Path, imagesPath, [height, width, channels]);
      latency = { float, int8 };
    } finally {
      await rm(imagesPath, { force: true });
    }
  }
  return {
    floatPath, int8Path, floatBytes: await classifierBytes(floatPath), int8Bytes: await classifierBytes(int8Path), calibrationImages: calibration.indices.length,
    floatAccuracy: score(floatPredicted, validation.labels, classes).accuracy, int8Accuracy: int8Score.accuracy,
    agreement: floatPredicted.filter((p, i) => p === int8Predicted[i]).length / floatPredicted.length, int8Confusion: int8Score.confusion, latency,
  };
}
