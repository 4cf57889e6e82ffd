/** The face embedder the interchange tests export: untrained (the trained model file is not in the repository), and real LFW face chips. */
import { existsSync } from 'node:fs';
import { manualSeed, rand, type RawImage, type Tensor, tensor } from 'tensile';
import { lfwTrain } from 'tensile/node';
import { sharedDataRoot, sharedDataset } from 'tensile-test-support';
import { chipBatch, FACE_FRACTION, faceChip, LFW_FACE_SIDE } from '../src/apps/faces/trained/face-chip.js';
import { DEFAULT_NET, embedderNet } from '../src/apps/faces/trained/network.js';
import { DEFAULT_RECIPE } from '../src/apps/faces/trained/recipe.js';
import { FACE_EMBEDDER_FILE_VERSION, TrainedEmbedder } from '../src/apps/faces/trained/trained-embedder.node.js';
import { randomizeWeights } from './random-weights.js';

const lfwPresent = existsSync(sharedDataset('faces-lfw-train', 'people.tsv'));
/** Faces per test batch. */
export const FACES = 12;

/** An embedder of the trained one's architecture with seeded random weights and batch-norm statistics. */
export function untrainedEmbedder(): TrainedEmbedder {
  manualSeed(26);
  const net = embedderNet(DEFAULT_NET);
  randomizeWeights(net);
  net.eval();
  return new TrainedEmbedder(net, {
    format: 'tensile-face-embedder', version: FACE_EMBEDDER_FILE_VERSION, net: DEFAULT_NET, faceFraction: FACE_FRACTION, threshold: 1,
    thresholdRule: 'none: untrained, for the interchange tests', recipe: DEFAULT_RECIPE, seed: 26, training: {},
  });
}

/** Chips of the first LFW photographs under the data root, or random chips without the dataset. */
export async function faceChips(t: { diagnostic(message: string): void }): Promise<{ x: Tensor; real: boolean }> {
  const size = DEFAULT_NET.inputSize;
  if (!lfwPresent) {
    t.diagnostic(`faces-lfw-train not found under ${sharedDataRoot}: random chips instead of faces`);
    return { x: rand([FACES, size, size, 3]), real: false };
  }
  const data = await lfwTrain({ root: sharedDataRoot });
  const chips: RawImage[] = data.files.slice(0, FACES).map((f) => faceChip(data.decode(f.path), LFW_FACE_SIDE, size));
  return { x: tensor(chipBatch(chips, size), [FACES, size, size, 3]), real: true };
}
