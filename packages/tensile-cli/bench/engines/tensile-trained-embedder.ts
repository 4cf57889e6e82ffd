/**
 * face_embed_trained on Tensile: the embedding network trained by `tensile faces train-embedder`
 * (runs/faces/embedder.safetensors under the working directory, or TENSILE_BENCH_FACE_EMBEDDER) on one
 * 96×96 RGB face chip, batch 1, the unit embedding read back.
 */
import { existsSync } from 'node:fs';
import { RawImage } from 'tensile';
import { DEFAULT_EMBEDDER_MODEL, TrainedEmbedder } from '../../src/apps/faces/trained/trained-embedder.node.js';

export async function trainedEmbedderCall(): Promise<(() => unknown) | string> {
  const model = process.env.TENSILE_BENCH_FACE_EMBEDDER ?? DEFAULT_EMBEDDER_MODEL;
  if (!existsSync(model)) return `no trained embedder at ${model} (tensile faces train-embedder)`;
  const embedder = await TrainedEmbedder.load(model);
  const size = embedder.config.net.inputSize;
  const chip = new RawImage(Uint8Array.from({ length: size * size * 3 }, (_, i) => (i * 37) % 256), size, size, 3);
  return () => embedder.embedChips([chip]);
}
