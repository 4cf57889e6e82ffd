/**
 * The enrolled embeddings in memory, searched by brute force: a thousand people with a few
 * embeddings each is a few hundred thousand multiply-adds, well under a millisecond.
 */
export interface Match {
  readonly personId: number;
  /** Euclidean distance to the person's closest embedding. */
  readonly distance: number;
}

export class Gallery {
  private personIds: number[] = [];
  private vectors: Float32Array[] = [];

  constructor(readonly size: number) {}

  add(personId: number, vector: Float32Array): void {
    if (vector.length !== this.size) throw new RangeError(`Gallery: embedding of length ${vector.length}, expected ${this.size}`);
    this.personIds.push(personId);
    this.vectors.push(vector);
  }

  removePerson(personId: number): void {
    const keep = this.personIds.map((id) => id !== personId);
    this.personIds = this.personIds.filter((_, i) => keep[i]);
    this.vectors = this.vectors.filter((_, i) => keep[i]);
  }

  get embeddings(): number {
    return this.vectors.length;
  }

  /** The enrolled person closest to `query`, or undefined when nobody is enrolled. */
  nearest(query: Float32Array): Match | undefined {
    if (query.length !== this.size) throw new RangeError(`Gallery: query of length ${query.length}, expected ${this.size}`);
    let best = -1;
    let bestSquared = Infinity;
    for (let i = 0; i < this.vectors.length; i++) {
      const v = this.vectors[i]!;
      let sum = 0;
      for (let k = 0; k < v.length && sum < bestSquared; k++) {
        const d = v[k]! - query[k]!;
        sum += d * d;
      }
      if (sum < bestSquared) {
        bestSquared = sum;
        best = i;
      }
    }
    return best < 0 ? undefined : { personId: this.personIds[best]!, distance: Math.sqrt(bestSquared) };
  }
}
