import { ValueError } from '../errors.js';

/**
 * Per-feature numeric scaling fitted on training data. Both scalers map feature `j` of a row as
 * `(x - offset[j]) / scale[j]`; they differ only in how `fit` picks offset and scale.
 * Save them with `toJSON()` beside the model so inference applies the same transform.
 */
export type ScalerKind = 'minmax' | 'standard';

export interface ScalerJSON {
  readonly kind: 'Scaler';
  readonly method: ScalerKind;
  readonly offset: readonly number[];
  readonly scale: readonly number[];
}

/** Rows as arrays of numbers (one per feature). */
type Rows = Iterable<ArrayLike<number>>;

export class Scaler {
  constructor(
    readonly method: ScalerKind,
    readonly offset: Float64Array,
    readonly scale: Float64Array,
  ) {
    if (offset.length !== scale.length) throw new ValueError('Scaler: offset and scale differ in length');
  }

  /** Min-max scaling to [0, 1]: offset = min, scale = max - min (1 for a constant feature). */
  static fitMinMax(rows: Rows): Scaler {
    const { count, min, max } = columnStats(rows);
    if (count === 0) throw new ValueError('Scaler.fitMinMax: no rows to fit');
    return new Scaler('minmax', min, max.map((high, j) => nonZero(high - min[j]!)));
  }

  /** Standardisation: offset = mean, scale = population standard deviation (1 for a constant feature). */
  static fitStandard(rows: Rows): Scaler {
    const { count, mean, m2 } = columnStats(rows);
    if (count === 0) throw new ValueError('Scaler.fitStandard: no rows to fit');
    return new Scaler('standard', mean, m2.map((sum) => nonZero(Math.sqrt(sum / count))));
  }

  static fit(method: ScalerKind, rows: Rows): Scaler {
    return method === 'minmax' ? Scaler.fitMinMax(rows) : Scaler.fitStandard(rows);
  }

  get features(): number {
    return this.offset.length;
  }

  /** Scales one feature value. */
  apply(feature: number, value: number): number {
    return (value - this.offset[feature]!) / this.scale[feature]!;
  }

  /** Scales a whole row (a new Float32Array). */
  transform(row: ArrayLike<number>): Float32Array {
    if (row.length !== this.features) throw new ValueError(`Scaler: row has ${row.length} features, fitted on ${this.features}`);
    return Float32Array.from({ length: row.length }, (_, j) => this.apply(j, row[j]!));
  }

  /** Undoes `transform` (e.g. to read predictions of a scaled regression target). */
  inverse(row: ArrayLike<number>): Float64Array {
    return Float64Array.from({ length: row.length }, (_, j) => row[j]! * this.scale[j]! + this.offset[j]!);
  }

  toJSON(): ScalerJSON {
    return { kind: 'Scaler', method: this.method, offset: [...this.offset], scale: [...this.scale] };
  }

  static fromJSON(json: ScalerJSON): Scaler {
    if (json.kind !== 'Scaler') throw new ValueError(`Scaler.fromJSON: got a ${String(json.kind)}`);
    return new Scaler(json.method, Float64Array.from(json.offset), Float64Array.from(json.scale));
  }
}

/** One pass: min, max, and Welford's running mean / sum of squared deviations per feature. */
function columnStats(rows: Rows) {
  let count = 0;
  let min = new Float64Array(0);
  let max = new Float64Array(0);
  let mean = new Float64Array(0);
  let m2 = new Float64Array(0);
  for (const row of rows) {
    if (count === 0) {
      min = new Float64Array(row.length).fill(Infinity);
      max = new Float64Array(row.length).fill(-Infinity);
      mean = new Float64Array(row.length);
      m2 = new Float64Array(row.length);
    } else if (row.length !== min.length) {
      throw new ValueError(`Scaler.fit: row ${count} has ${row.length} features, row 0 has ${min.length}`);
    }
    count++;
    for (let j = 0; j < row.length; j++) {
      const value = row[j]!;
      if (value < min[j]!) min[j] = value;
      if (value > max[j]!) max[j] = value;
      const delta = value - mean[j]!;
      mean[j] = mean[j]! + delta / count;
      m2[j] = m2[j]! + delta * (value - mean[j]!);
    }
  }
  return { count, min, max, mean, m2 };
}

function nonZero(scale: number): number {
  return scale === 0 ? 1 : scale;
}
