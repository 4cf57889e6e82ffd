/**
 * Float and int8 image classifiers behind one interface, for `predict`, `quantize` and the latency
 * probe: the model file decides the kind (an int8 file carries `tensile.quantized` metadata; an
 * ensemble manifest names member files, whose softmax outputs are averaged), and the input shape
 * decides the preprocessing (gray when it has one channel, area resize to its side). The float
 * modules are imported only when a float model is opened, so the int8 path stays light.
 */
import type { Sequential } from 'tensile';
import { Int8Runtime, isQuantizedModelFile, ModelFileError, quantizedModelFromBytes, ValueError } from 'tensile/int8';
import { isEnsembleFile, readEnsemble } from './ensemble.node.js';
import type { ImageGeometry } from './images.node.js';
import { averageSoftmaxLogits } from './metrics.js';
import { readOwnModel, resolveModelPath } from '../model-file.node.js';

export interface ImageClassifier {
  readonly kind: 'float' | 'int8';
  readonly geometry: ImageGeometry;
  /** Networks whose softmax outputs are averaged (1: a single model). */
  readonly networks: number;
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

/** The model files behind a --model path (a file, or a train run's folder): the members of an ensemble manifest, or the file itself. */
async function memberFiles(target: string): Promise<string[]> {
  const file = await resolveModelPath(target);
  return isEnsembleFile(file) ? readEnsemble(file) : [file];
}

/** Checks that an ensemble's members are of one kind and take one input. */
function checkAlike<T extends { readonly kind: string; readonly geometry: ImageGeometry }>(file: string, members: readonly T[]): T {
  const [first] = members as [T, ...T[]];
  for (const member of members) {
    if (member.kind !== first.kind || member.geometry.size !== first.geometry.size || member.geometry.gray !== first.geometry.gray) {
      throw new ModelFileError(file, `ensemble members differ: ${first.kind} ${JSON.stringify(first.geometry)} and ${member.kind} ${JSON.stringify(member.geometry)}`);
    }
  }
  return first;
}

/** A float image classifier saved by `saveModel` (a Sequential with a square image input). */
async function loadFloatImageModel(target: string, read?: { file: string; bytes: Uint8Array }): Promise<{ kind: 'float'; model: Sequential; geometry: ImageGeometry }> {
  const { file, bytes } = read ?? (await readOwnModel(target, 'catsdogs'));
  const { modelFromBytes, Sequential } = await import('tensile');
  const model = modelFromBytes(bytes, file, { compile: false });
  if (!(model instanceof Sequential)) throw new ValueError(`${file}: expected a Sequential image classifier, found ${model.constructor.name}`);
  return { kind: 'float', model, geometry: geometryOf(model.sampleShape ?? [], file) };
}

/** The float networks of a model file (one) or of an ensemble manifest, and the input they share. */
export async function loadFloatNetworks(file: string): Promise<{ networks: Sequential[]; geometry: ImageGeometry }> {
  const loaded = await Promise.all((await memberFiles(file)).map((member) => loadFloatImageModel(member)));
  return { networks: loaded.map((network) => network.model), geometry: checkAlike(file, loaded).geometry };
}

async function loadNetwork(target: string): Promise<ImageClassifier> {
  const read = await readOwnModel(target, 'catsdogs');
  const { file, bytes } = read;
  if (isQuantizedModelFile(bytes)) {
    const runtime = new Int8Runtime(quantizedModelFromBytes(bytes, file));
    return { kind: 'int8', geometry: geometryOf(runtime.model.inputShape, file), networks: 1, logits: (images, count) => runtime.predictLogits(images, count) };
  }
  const [{ model, geometry }, { predictLogits }, { tensor, scope }] = await Promise.all([loadFloatImageModel(file, read), import('./inference.js'), import('tensile')]);
  const channels = geometry.gray ? 1 : 3;
  return { kind: 'float', geometry, networks: 1, logits: (images, count) => scope(() => predictLogits(model, tensor(images, [count, geometry.size, geometry.size, channels]))) };
}

/** Opens a float or int8 model file, or an ensemble manifest whose members all share one kind and input. */
export async function loadImageClassifier(file: string): Promise<ImageClassifier> {
  const members = await Promise.all((await memberFiles(file)).map(loadNetwork));
  const first = checkAlike(file, members);
  if (members.length === 1) return first;
  return {
    kind: first.kind, geometry: first.geometry, networks: members.length,
    logits: (images, count) => {
      const logits = members.map((member) => member.logits(images, count));
      return averageSoftmaxLogits(logits, logits[0]!.length / count);
    },
  };
}
