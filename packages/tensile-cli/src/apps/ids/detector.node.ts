/**
 * The trained detector as a library: feature encoder + network + decision threshold (and, for the
 * combined variant, the anomaly GAN's networks and both thresholds), saved as one safetensors file
 * (the networks' weights as tensors, the anomaly GAN's under `anomaly.`; encoder, threshold,
 * architecture and the training summary as JSON under the metadata key `tensile.ids`).
 *
 * ```ts
 * const detector = await IntrusionDetector.load('runs/ids/gan-seed1.safetensors');
 * detector.score([record.features]); // [{ score: 0.97, attack: true, category: 'DoS' }]
 * for await (const row of detector.scoreStream(decodeUtf8(readFileChunks('conn.csv'), 'conn.csv'), { source: 'conn.csv' })) …
 * ```
 */
import { NSL_KDD_CATEGORIES, writeFileAtomic } from 'tensile/node';
import { DataError, ValueError, decodeSafetensors, encodeSafetensors, ModelFileError, parseCsvRows, type Sequential, type StateDict, type TabularRow, type Tensor } from 'tensile';
import { anomalyScores, type AnomalyNetworks } from './anomaly.js';
import { FeatureEncoder, type FeatureEncoderJSON } from './features.js';
import { readOwnModel, requireOwnModel } from '../model-file.node.js';
import { detectorNetwork, encoderNetwork, generatorNetwork, type DetectorArchitecture } from './network.js';
import { FEATURE_COLUMNS, parseRecord, type ConnectionRecord } from './records.js';
import { eitherScore, type EitherThresholds } from './thresholds.js';
import { scoreEncoded, type DetectorScores } from './training.js';
import { type AnomalySettings, isVariant, type Variant } from './variants.js';

const METADATA_KEY = 'tensile.ids';
export const DETECTOR_FILE_VERSION = 1;

/** What a model file says about itself besides its weights. */
export interface DetectorConfig {
  readonly format: 'tensile-ids';
  readonly version: number;
  readonly variant: Variant;
  readonly seed: number;
  readonly architecture: DetectorArchitecture;
  /** A record is an attack when its score is at least this. */
  readonly threshold: number;
  /** The combined variant's anomaly part: its settings and the two thresholds behind the score. */
  readonly anomaly?: { readonly settings: AnomalySettings; readonly thresholds: EitherThresholds };
  /** How the threshold was chosen. */
  readonly thresholdRule: string;
  readonly encoder: FeatureEncoderJSON;
  /** Free-form facts about training (epochs, validation metrics, timings). */
  readonly training: Readonly<Record<string, unknown>>;
}

export interface RecordScore {
  /**
   * P(attack) according to the detector; for the combined variant max(P(attack) / t_s,
   * anomaly score / t_a), so that 1 is where either part says attack.
   */
  readonly score: number;
  readonly attack: boolean;
  /** The most likely of normal, DoS, Probe, R2L, U2R. */
  readonly category: string;
}

/** One row of a scored stream: a scored record or a malformed row with its error. */
export type StreamResult =
  | { readonly line: number; readonly record: ConnectionRecord; readonly result: RecordScore }
  | { readonly line: number; readonly error: DataError };

export interface ScoreStreamOptions {
  /** Names the input in errors. */
  readonly source: string;
  /** Overrides the model's threshold. */
  readonly threshold?: number;
  /** Records scored together (memory vs speed). Default 1024. */
  readonly batchSize?: number;
}

export interface EncodedScores extends DetectorScores {
  /** P(attack) of the supervised network (the same as `attack` but for the combined variant). */
  readonly supervised: Float32Array;
  /** The anomaly scores of the combined variant's anomaly part, or null. */
  readonly anomaly: Float32Array | null;
}

const ANOMALY_PREFIX = 'anomaly.';
const ANOMALY_NETWORKS = ['encoder', 'generator', 'discriminator'] as const;

export function anomalyNetworks(width: number, settings: AnomalySettings): AnomalyNetworks {
  return {
    encoder: encoderNetwork(width, settings.codeSize, settings.encoderHidden),
    generator: generatorNetwork(settings.codeSize, width, settings.generatorHidden),
    discriminator: detectorNetwork(width, settings.discriminator),
  };
}

export class IntrusionDetector {
  constructor(
    readonly network: Sequential,
    readonly encoder: FeatureEncoder,
    readonly config: DetectorConfig,
    /** Required when `config.anomaly` is set. */
    readonly anomaly: AnomalyNetworks | null = null,
  ) {
    if ((config.anomaly === undefined) !== (anomaly === null)) throw new ValueError(`IntrusionDetector (${config.variant}): anomaly networks are needed exactly when the config has an anomaly part`);
  }

  get threshold(): number {
    return this.config.threshold;
  }

  /** Scores of encoded records `[count, encoder.width]`. */
  scoreEncoded(features: Float32Array, count: number): EncodedScores {
    const supervised = scoreEncoded(this.network, features, count, this.encoder.width);
    const part = this.config.anomaly;
    if (!this.anomaly || !part) return { ...supervised, supervised: supervised.attack, anomaly: null };
    const anomaly = anomalyScores(this.anomaly, features, count, this.encoder.width, part.settings.featureWeight);
    const attack = Float32Array.from(supervised.attack, (score, i) => eitherScore(score, anomaly[i]!, part.thresholds));
    return { attack, category: supervised.category, supervised: supervised.attack, anomaly };
  }

  /** Scores records given as the 41 features by column name (see `FEATURE_COLUMNS`). */
  score(records: readonly TabularRow[], threshold = this.threshold): RecordScore[] {
    if (records.length === 0) return [];
    const { attack, category } = this.scoreEncoded(this.encoder.transform(records), records.length);
    return Array.from(attack, (score, i) => ({ score, attack: score >= threshold, category: NSL_KDD_CATEGORIES[category[i]!]! }));
  }

  /**
   * Scores CSV text in the NSL-KDD layout (41 features, optionally label and difficulty; an
   * optional header line starting with `duration` is skipped). Yields one result per row in input
   * order; a malformed row yields its DataError (with the line) and the stream goes on.
   */
  async *scoreStream(text: string | AsyncIterable<string>, options: ScoreStreamOptions): AsyncGenerator<StreamResult> {
    const batchSize = options.batchSize ?? 1024;
    let pending: ({ line: number; record: ConnectionRecord } | { line: number; error: DataError })[] = [];
    const flush = (): StreamResult[] => {
      const scored = this.score(
        pending.flatMap((row) => ('record' in row ? [row.record.features] : [])),
        options.threshold,
      );
      let next = 0;
      const results = pending.map((row) => ('record' in row ? { ...row, result: scored[next++]! } : row));
      pending = [];
      return results;
    };
    let first = true;
    for await (const { fields, line } of parseCsvRows(text)) {
      const isHeader = first && fields[0]?.trim() === FEATURE_COLUMNS[0];
      first = false;
      if (isHeader) continue;
      try {
        pending.push({ line, record: parseRecord(fields, options.source, line) });
      } catch (error) {
        if (!(error instanceof DataError)) throw error;
        pending.push({ line, error });
      }
      if (pending.length >= batchSize) yield* flush();
    }
    yield* flush();
  }

  toBytes(): Uint8Array {
    const tensors: StateDict = { ...this.network.stateDict() };
    for (const name of ANOMALY_NETWORKS) {
      for (const [key, t] of Object.entries(this.anomaly?.[name].stateDict() ?? {})) tensors[`${ANOMALY_PREFIX}${name}.${key}`] = t;
    }
    return encodeSafetensors(tensors, { format: 'pt', [METADATA_KEY]: JSON.stringify(this.config) });
  }

  static fromBytes(bytes: Uint8Array, file: string): IntrusionDetector {
    requireOwnModel(file, bytes, 'ids');
    const { tensors, metadata } = decodeSafetensors(bytes, file);
    const text = metadata[METADATA_KEY];
    if (text === undefined) throw new ModelFileError(file, `has no '${METADATA_KEY}' metadata: not an intrusion-detector model`);
    const config = JSON.parse(text) as DetectorConfig;
    if (config.format !== 'tensile-ids' || config.version !== DETECTOR_FILE_VERSION || !isVariant(config.variant)) {
      throw new ModelFileError(file, `holds format ${String(config.format)} version ${String(config.version)}, expected tensile-ids version ${DETECTOR_FILE_VERSION}`);
    }
    const encoder = FeatureEncoder.fromJSON(config.encoder);
    const network = detectorNetwork(encoder.width, config.architecture);
    const anomaly = config.anomaly ? anomalyNetworks(encoder.width, config.anomaly.settings) : null;
    const part = (prefix: string): Record<string, Tensor> =>
      Object.fromEntries(Object.entries(tensors).flatMap(([key, t]) => (key.startsWith(prefix) ? [[key.slice(prefix.length), t]] : [])));
    try {
      network.loadStateDict(Object.fromEntries(Object.entries(tensors).filter(([key]) => !key.startsWith(ANOMALY_PREFIX))));
      for (const name of ANOMALY_NETWORKS) anomaly?.[name].loadStateDict(part(`${ANOMALY_PREFIX}${name}.`));
    } catch (error) {
      throw new ModelFileError(file, `weights do not fit the saved architecture (${(error as Error).message})`);
    }
    for (const t of Object.values(tensors)) t.dispose();
    return new IntrusionDetector(network, encoder, config, anomaly);
  }

  /** Writes the model as one file, atomically. */
  async save(file: string): Promise<void> {
    await writeFileAtomic(file, this.toBytes());
  }

  /** Loads a model file written by `ids train` (or a folder holding one as model.safetensors); another application's model is refused by name. */
  static async load(target: string): Promise<IntrusionDetector> {
    const { file, bytes } = await readOwnModel(target, 'ids');
    return IntrusionDetector.fromBytes(bytes, file);
  }
}
