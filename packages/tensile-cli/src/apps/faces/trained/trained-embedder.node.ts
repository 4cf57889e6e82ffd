/**
 * The embedding network trained here as a `FaceEmbedder` and a model file: one safetensors file with the
 * network's weights and batch-norm statistics, and under the metadata key `tensile.faces.embedder` the
 * versioned JSON config (network shape, the crop, the same-person threshold calibrated on held-out
 * training people, the recipe and a training summary).
 *
 * ```ts
 * const embedder = await TrainedEmbedder.load('runs/faces/embedder.safetensors');
 * const [a, b] = await embedder.embed([photoA, photoB]);   // LFW-framed photographs
 * embeddingDistance(a, b) < embedder.threshold;            // same person?
 * ```
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { decodeSafetensors, encodeSafetensors, ModelFileError, noGrad, type RawImage, scope, Sequential, tensor, UnitNormalization, yieldToEventLoop } from 'tensile';
import { writeFileAtomic } from 'tensile/node';
import type { EmbedderKind, FaceEmbedder } from '../embedder.js';
import { describeModelFile, FACE_EMBEDDER_KEY } from '../model-kinds.js';
import { centredFaceChip, chipBatch } from './face-chip.js';
import { type EmbedderNetConfig, embedderNet } from './network.js';
import type { EmbedderRecipe } from './recipe.js';

const FORMAT = 'tensile-face-embedder';
export const FACE_EMBEDDER_FILE_VERSION = 1;
/** Where `loadEmbedder('trained')` looks when no model is named (relative to the working directory). */
export const DEFAULT_EMBEDDER_MODEL = path.join('runs', 'faces', 'embedder.safetensors');

export interface TrainedEmbedderConfig {
  readonly format: typeof FORMAT;
  readonly version: number;
  readonly net: EmbedderNetConfig;
  /** The face square as a fraction of an LFW-framed photograph's shorter side. */
  readonly faceFraction: number;
  /** Euclidean distance between unit embeddings below which two faces are the same person. */
  readonly threshold: number;
  /** How the threshold was chosen. */
  readonly thresholdRule: string;
  readonly recipe: EmbedderRecipe;
  readonly seed: number;
  /** Facts about training (people, images, steps, timings, validation figures). */
  readonly training: Readonly<Record<string, unknown>>;
}

/** Photographs embedded per forward pass. */
const BATCH = 32;

export class TrainedEmbedder implements FaceEmbedder {
  readonly kind: EmbedderKind = 'trained';

  /** The network followed by the unit normalisation: photograph chips in, unit embeddings out (what `tensile export onnx` writes). */
  readonly model: Sequential;

  constructor(
    /** The network, in eval mode while it embeds. */
    readonly net: Sequential,
    readonly config: TrainedEmbedderConfig,
  ) {
    const { inputSize } = config.net;
    this.model = new Sequential([...net.layers, new UnitNormalization({ name: 'unit_embedding' })], { name: 'face_embedder', inputShape: [inputSize, inputSize, 3] });
  }

  get size(): number {
    return this.config.net.embeddingSize;
  }

  get threshold(): number {
    return this.config.threshold;
  }

  /** Unit embeddings of RGB chips already cut to the network's input size, `batchSize` chips per forward pass. */
  embedChips(chips: readonly RawImage[], batchSize = BATCH): Float32Array[] {
    const { inputSize, embeddingSize } = this.config.net;
    const wasTraining = this.net.training;
    this.model.eval();
    try {
      const out: Float32Array[] = [];
      for (let start = 0; start < chips.length; start += batchSize) {
        const batch = chips.slice(start, start + batchSize);
        const values = noGrad(() => scope(() => this.model.forward(tensor(chipBatch(batch, inputSize), [batch.length, inputSize, inputSize, 3])).dataSync()));
        for (let i = 0; i < batch.length; i++) out.push(Float32Array.from(values.subarray(i * embeddingSize, (i + 1) * embeddingSize)));
      }
      return out;
    } finally {
      if (wasTraining) this.net.train();
    }
  }

  async embed(images: readonly RawImage[]): Promise<Float32Array[]> {
    const embeddings: Float32Array[] = [];
    for (let start = 0; start < images.length; start += BATCH) {
      const chips = images.slice(start, start + BATCH).map((image) => centredFaceChip(image, this.config.net.inputSize, this.config.faceFraction));
      embeddings.push(...this.embedChips(chips));
      await yieldToEventLoop();
    }
    return embeddings;
  }

  toBytes(): Uint8Array {
    return encodeSafetensors(this.net.stateDict(), { format: 'pt', [FACE_EMBEDDER_KEY]: JSON.stringify(this.config) });
  }

  static fromBytes(bytes: Uint8Array, file: string): TrainedEmbedder {
    const { tensors, metadata } = decodeSafetensors(bytes, file);
    const text = metadata[FACE_EMBEDDER_KEY];
    if (text === undefined) throw new ModelFileError(file, `is ${describeModelFile(metadata)}, not a face embedder (written by tensile faces train-embedder)`);
    let config: TrainedEmbedderConfig;
    try {
      config = JSON.parse(text) as TrainedEmbedderConfig;
    } catch (error) {
      throw new ModelFileError(file, `the '${FACE_EMBEDDER_KEY}' metadata is not valid JSON (${(error as Error).message})`);
    }
    if (config.format !== FORMAT || config.version !== FACE_EMBEDDER_FILE_VERSION) {
      throw new ModelFileError(file, `holds format ${String(config.format)} version ${String(config.version)}, expected ${FORMAT} version ${FACE_EMBEDDER_FILE_VERSION}`);
    }
    const net = embedderNet(config.net);
    try {
      net.loadStateDict(tensors);
    } catch (error) {
      throw new ModelFileError(file, `does not fit the network its config describes (${(error as Error).message})`);
    } finally {
      for (const t of Object.values(tensors)) t.dispose();
    }
    net.eval();
    return new TrainedEmbedder(net, config);
  }

  /** Writes the model atomically, creating its folder. */
  async save(file: string): Promise<void> {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, this.toBytes());
  }

  static async load(file: string = DEFAULT_EMBEDDER_MODEL): Promise<TrainedEmbedder> {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await fs.readFile(file));
    } catch (error) {
      throw new ModelFileError(file, `cannot be read (${(error as Error).message})${file === DEFAULT_EMBEDDER_MODEL ? '; train one with tensile faces train-embedder' : ''}`);
    }
    return TrainedEmbedder.fromBytes(bytes, file);
  }
}
