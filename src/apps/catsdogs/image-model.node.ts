/**
 * Float and int8 image classifiers behind one interface, for `predict` and `quantize`: the model
 * file decides the kind (an int8 file carries `tensile.quantized` metadata), and the input shape
 * decides the preprocessing (gray when it has one channel, area resize to its side).
 */
import { readFile } from 'node:fs/promises';
import { ValueError } from '../../errors.js';
import { Sequential } from '../../nn/index.js';
import { Int8Runtime } from '../../quantize/int8-runtime.js';
import { isQuantizedModelFile, quantizedModelFromBytes } from '../../quantize/model-file.js';
import { loadModel } from '../../saving/files.node.js';
import { ModelFileError } from '../../saving/errors.js';
import type { ImageGeometry } from './images.node.js';
import { predictLogits } from './train.node.js';
import { tensor } from '../../ops/creation.js';

export interface ImageClassifier {
  readonly kind: 'float' | 'int8';
  readonly geometry: ImageGeometry;
  /** Logits [count, classes] of `count` NHWC images scaled to [0, 1]. */
  logits(images: Float32Array, count: number): Float32Array;
}

function geometryOf(shape: readonly (number | null)[], file: string): ImageGeometry {
  const [height, width, channels] = shape;
  if (shape.length !== 3 || height !== width || height === null || height === undefined || (channels !== 1 && channels !== 3)) {
    throw new ValueError(`${file}: expected a square gray or RGB image model, its input is ${JSON.stringify(shape)}`);
  }
  return { size: height, gray: channels === 1 };
}

/** Opens a float model saved by `saveModel` or an int8 model written by `tensile quantize`. */
export async function loadImageClassifier(file: string): Promise<ImageClassifier> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (cause) {
    throw new ModelFileError(file, `cannot be read (${(cause as Error).message})`);
  }
  if (isQuantizedModelFile(bytes)) {
    const runtime = new Int8Runtime(quantizedModelFromBytes(bytes, file));
    return { kind: 'int8', geometry: geometryOf(runtime.model.inputShape, file), logits: (images, count) => runtime.predictLogits(images, count) };
  }
  const model = await loadModel(file, { compile: false });
  if (!(model instanceof Sequential)) throw new ValueError(`${file}: expected a Sequential image classifier, found ${model.constructor.name}`);
  const geometry = geometryOf(model.sampleShape ?? [], file);
  const channels = geometry.gray ? 1 : 3;
  return { kind: 'float', geometry, logits: (images, count) => predictLogits(model, tensor(images, [count, geometry.size, geometry.size, channels])) };
}
