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
  readonly logScaled: boolean;
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

function identity(row: TabularRow): TabularRow {
  return row;
}

export class FeatureEncoder {
  private readonly prepare: (row: TabularRow) => TabularRow;

  private constructor(
    private readonly encoder: TabularEncoder,
    private readonly logScale: boolean,
  ) {
    this.prepare = logScale ? logScaled : identity;
  }

  static fit(rows: readonly TabularRow[], options: { logScale?: boolean } = {}): FeatureEncoder {
    const logScale = options.logScale ?? true;
    return new FeatureEncoder(TabularEncoder.fit(SPEC, rows.map(logScale ? logScaled : identity)), logScale);
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
    rows.forEach((row, i) => this.encoder.transform(this.prepare(row), out, i * this.width));
    return out;
  }

  toJSON(): FeatureEncoderJSON {
    return { kind: 'IdsFeatureEncoder', logScaled: this.logScale, encoder: this.encoder.toJSON() };
  }

  static fromJSON(json: FeatureEncoderJSON): FeatureEncoder {
    return new FeatureEncoder(TabularEncoder.fromJSON(json.encoder), json.logScaled);
  }
}
