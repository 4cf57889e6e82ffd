import { ValueError } from '../errors.js';

/** `'error'` rejects categories not seen in `fit`; `'ignore'` maps them to index -1 / an all-zero one-hot. */
export type UnknownCategoryPolicy = 'error' | 'ignore';

export interface CategoryEncoderJSON {
  readonly kind: 'CategoryEncoder';
  readonly vocabulary: readonly string[];
  readonly unknown: UnknownCategoryPolicy;
}

/**
 * A vocabulary fitted on training data: category → index, or → one-hot vector. The vocabulary is
 * sorted so the encoding does not depend on row order; save it with `toJSON()` next to the model so
 * inference encodes exactly as training did.
 *
 * ```ts
 * const protocol = CategoryEncoder.fit(trainRows.map((r) => r.protocol));
 * protocol.index('udp');   // 2
 * protocol.oneHot('udp');  // Float32Array [0, 0, 1]
 * ```
 */
export class CategoryEncoder {
  private readonly indices: ReadonlyMap<string, number>;

  constructor(
    readonly vocabulary: readonly string[],
    readonly unknown: UnknownCategoryPolicy = 'error',
  ) {
    this.indices = new Map(vocabulary.map((category, index) => [category, index]));
    if (this.indices.size !== vocabulary.length) throw new ValueError('CategoryEncoder: vocabulary has duplicate categories');
  }

  static fit(values: Iterable<string>, unknown: UnknownCategoryPolicy = 'error'): CategoryEncoder {
    return new CategoryEncoder([...new Set(values)].sort(), unknown);
  }

  get size(): number {
    return this.vocabulary.length;
  }

  /** The category's index, or -1 for an unknown category under the `'ignore'` policy. */
  index(category: string): number {
    const index = this.indices.get(category);
    if (index !== undefined) return index;
    if (this.unknown === 'ignore') return -1;
    throw new ValueError(`CategoryEncoder: unknown category ${JSON.stringify(category)} (vocabulary: ${this.vocabulary.join(', ')})`);
  }

  /** Writes the one-hot encoding into `out` at `offset` (all zeros for an ignored unknown category). */
  writeOneHot(category: string, out: Float32Array, offset = 0): void {
    out.fill(0, offset, offset + this.size);
    const index = this.index(category);
    if (index >= 0) out[offset + index] = 1;
  }

  oneHot(category: string): Float32Array {
    const out = new Float32Array(this.size);
    this.writeOneHot(category, out);
    return out;
  }

  toJSON(): CategoryEncoderJSON {
    return { kind: 'CategoryEncoder', vocabulary: [...this.vocabulary], unknown: this.unknown };
  }

  static fromJSON(json: CategoryEncoderJSON): CategoryEncoder {
    if (json.kind !== 'CategoryEncoder') throw new ValueError(`CategoryEncoder.fromJSON: got a ${String(json.kind)}`);
    return new CategoryEncoder(json.vocabulary, json.unknown);
  }
}
