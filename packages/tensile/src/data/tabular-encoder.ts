import { ValueError } from '../errors.js';
import { CategoryEncoder, type CategoryEncoderJSON, type UnknownCategoryPolicy } from './category-encoder.js';
import { Scaler, type ScalerJSON, type ScalerKind } from './scalers.js';

/** How one column becomes features. */
export type ColumnEncoding =
  | { readonly kind: 'numeric'; readonly scale?: ScalerKind | 'none' }
  | { readonly kind: 'categorical'; readonly encoding?: 'onehot' | 'index'; readonly unknown?: UnknownCategoryPolicy };

/** Column name → encoding; the key order is the order of the features in the output vector. */
export type TabularSpec = { readonly [column: string]: ColumnEncoding };

export type TabularRow = { readonly [column: string]: number | string };

type FittedColumn =
  | { readonly name: string; readonly kind: 'numeric'; readonly scaler: Scaler | null }
  | { readonly name: string; readonly kind: 'categorical'; readonly encoding: 'onehot' | 'index'; readonly vocabulary: CategoryEncoder };

type FittedColumnJSON =
  | { readonly name: string; readonly kind: 'numeric'; readonly scaler: ScalerJSON | null }
  | { readonly name: string; readonly kind: 'categorical'; readonly encoding: 'onehot' | 'index'; readonly vocabulary: CategoryEncoderJSON };

export interface TabularEncoderJSON {
  readonly kind: 'TabularEncoder';
  readonly columns: readonly FittedColumnJSON[];
}

/**
 * Encodes table rows (numbers and category strings) into fixed-width Float32 feature vectors:
 * numeric columns scaled (min-max or standard), categorical columns one-hot or as an index. All
 * statistics and vocabularies are fitted on the training rows only and saved with `toJSON()`.
 *
 * ```ts
 * const encoder = TabularEncoder.fit({ age: { kind: 'numeric', scale: 'standard' },
 *                                      sex: { kind: 'categorical' } }, trainRows);
 * const { values, shape } = encoder.transformAll(testRows); // shape [n, encoder.width]
 * ```
 */
export class TabularEncoder {
  readonly width: number;

  private constructor(readonly columns: readonly FittedColumn[]) {
    this.width = columns.reduce((sum, column) => sum + featureCount(column), 0);
  }

  static fit(spec: TabularSpec, rows: readonly TabularRow[]): TabularEncoder {
    if (rows.length === 0) throw new ValueError('TabularEncoder.fit: no training rows');
    const columns = Object.entries(spec).map(([name, encoding]): FittedColumn => {
      if (encoding.kind === 'categorical') {
        const vocabulary = CategoryEncoder.fit(
          rows.map((row) => String(valueOf(row, name))),
          encoding.unknown ?? 'error',
        );
        return { name, kind: 'categorical', encoding: encoding.encoding ?? 'onehot', vocabulary };
      }
      const method = encoding.scale ?? 'none';
      const scaler = method === 'none' ? null : Scaler.fit(method, rows.map((row) => [numberOf(row, name)]));
      return { name, kind: 'numeric', scaler };
    });
    return new TabularEncoder(columns);
  }

  /** A name per output feature: the column name, or `column=category` for one-hot features. */
  get featureNames(): string[] {
    return this.columns.flatMap((column) =>
      column.kind === 'categorical' && column.encoding === 'onehot'
        ? column.vocabulary.vocabulary.map((category) => `${column.name}=${category}`)
        : [column.name],
    );
  }

  /** Encodes one row into `out` at `offset` (or a new vector). */
  transform(row: TabularRow, out = new Float32Array(this.width), offset = 0): Float32Array {
    let position = offset;
    for (const column of this.columns) {
      if (column.kind === 'numeric') {
        const value = numberOf(row, column.name);
        out[position++] = column.scaler ? column.scaler.apply(0, value) : value;
      } else if (column.encoding === 'index') {
        out[position++] = column.vocabulary.index(String(valueOf(row, column.name)));
      } else {
        column.vocabulary.writeOneHot(String(valueOf(row, column.name)), out, position);
        position += column.vocabulary.size;
      }
    }
    return out;
  }

  /** Encodes many rows into one row-major matrix `[rows.length, width]`. */
  transformAll(rows: readonly TabularRow[]): { values: Float32Array; shape: [number, number] } {
    const values = new Float32Array(rows.length * this.width);
    rows.forEach((row, i) => this.transform(row, values, i * this.width));
    return { values, shape: [rows.length, this.width] };
  }

  toJSON(): TabularEncoderJSON {
    return {
      kind: 'TabularEncoder',
      columns: this.columns.map((column) =>
        column.kind === 'numeric'
          ? { name: column.name, kind: 'numeric', scaler: column.scaler?.toJSON() ?? null }
          : { name: column.name, kind: 'categorical', encoding: column.encoding, vocabulary: column.vocabulary.toJSON() },
      ),
    };
  }

  static fromJSON(json: TabularEncoderJSON): TabularEncoder {
    if (json.kind !== 'TabularEncoder') throw new ValueError(`TabularEncoder.fromJSON: got a ${String(json.kind)}`);
    return new TabularEncoder(
      json.columns.map((column): FittedColumn =>
        column.kind === 'numeric'
          ? { name: column.name, kind: 'numeric', scaler: column.scaler ? Scaler.fromJSON(column.scaler) : null }
          : { name: column.name, kind: 'categorical', encoding: column.encoding, vocabulary: CategoryEncoder.fromJSON(column.vocabulary) },
      ),
    );
  }
}

function featureCount(column: FittedColumn): number {
  return column.kind === 'categorical' && column.encoding === 'onehot' ? column.vocabulary.size : 1;
}

function valueOf(row: TabularRow, name: string): number | string {
  const value = row[name];
  if (value === undefined) throw new ValueError(`TabularEncoder: row has no column ${JSON.stringify(name)}`);
  return value;
}

function numberOf(row: TabularRow, name: string): number {
  const value = valueOf(row, name);
  if (typeof value !== 'number') throw new ValueError(`TabularEncoder: column ${JSON.stringify(name)} holds ${JSON.stringify(value)}, not a number`);
  return value;
}
