/**
 * Connection records → feature vectors. Numeric features go through log1p first because byte
 * counts and durations span nine orders of magnitude: min-max scaling alone would squash all but
 * the largest values to 0. Then min-max scaling to [0, 1] and one-hot protocol/service/flag (the
 * vocabulary, unseen values encode as all zeros), all fitted on training records and saved with
 * the model.
 */
import { TabularEncoder, type TabularEncoderJSON, type TabularRow, type TabularSpec } from 'tensile';
import { FEATURE_COLUMNS, SYMBOLIC_COLUMNS } from './records.js';

export interface FeatureEncoderJSON {
  readonly kind: 'IdsFeatureEncoder';
  readonly logScaled: true;
  readonly encoder: TabularEncoderJSON;
}

const SPEC: TabularSpec = Object.fromEntries(
  FEATURE_COLUMNS.map((column) => [
    column,
    SYMBOLIC_COLUMNS.has(column) ? { kind: 'categorical', encoding: 'onehot', unknown: 'ignore' } : { kind: 'numeric', scale: 'minmax' },
  ]),
);

function logScaled(row: TabularRow): TabularRow {
  const out: Record<string, number | string> = {};
  for (const [column, value] of Object.entries(row)) out[column] = typeof value === 'number' ? Math.log1p(value) : value;
  return out;
}

export class FeatureEncoder {
  private constructor(private readonly encoder: TabularEncoder) {}

  static fit(rows: readonly TabularRow[]): FeatureEncoder {
    return new FeatureEncoder(TabularEncoder.fit(SPEC, rows.map(logScaled)));
  }

  get width(): number {
    return this.encoder.width;
  }

  get featureNames(): string[] {
    return this.encoder.featureNames;
  }

  /** Row-major `[rows.length, width]`. */
  transform(rows: readonly TabularRow[]): Float32Array {
    const out = new Float32Array(rows.length * this.width);
    rows.forEach((row, i) => this.encoder.transform(logScaled(row), out, i * this.width));
    return out;
  }

  toJSON(): FeatureEncoderJSON {
    return { kind: 'IdsFeatureEncoder', logScaled: true, encoder: this.encoder.toJSON() };
  }

  static fromJSON(json: FeatureEncoderJSON): FeatureEncoder {
    return new FeatureEncoder(TabularEncoder.fromJSON(json.encoder));
  }
}
