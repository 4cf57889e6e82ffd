/**
 * Symbolic tensors of the functional API: what `Input()` returns and what calling a layer on a
 * symbolic tensor gives. They carry a shape (null for the batch or any unknown size) and the node
 * that made them, which is all `Model` needs to run the graph.
 */
import type { DType } from '../tensor/dtype.js';

/** A shape whose entries may be unknown (null), like Keras' `(None, 28, 28, 1)`. */
export type SymbolicShape = readonly (number | null)[];

export function formatSymbolicShape(shape: SymbolicShape): string {
  return `[${shape.map((d) => (d === null ? 'null' : String(d))).join(', ')}]`;
}

/** A concrete shape with its batch axis made unknown. */
export function withUnknownBatch(shape: readonly number[]): SymbolicShape {
  return [null, ...shape.slice(1)];
}

/** One application of a layer in a graph: the layer, the symbolic inputs it was called on, its output. */
export interface GraphNode {
  readonly layer: { readonly name: string };
  readonly inputs: readonly SymbolicTensor[];
}

export class SymbolicTensor {
  constructor(
    readonly shape: SymbolicShape,
    readonly dtype: DType,
    readonly node: GraphNode,
  ) {}

  toString(): string {
    return `SymbolicTensor(${formatSymbolicShape(this.shape)}, ${this.dtype}, from '${this.node.layer.name}')`;
  }
}
