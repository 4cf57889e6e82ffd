/**
 * What a tensor remembers of the op that made it: the op's inputs and its backward rule. The tensor
 * owns the type; `autograd/` records nodes and runs them.
 */
import type { Tensor } from './tensor.js';

export type BackwardRule = (dy: Tensor) => readonly (Tensor | null)[];

export interface GradNode {
  readonly op: string;
  /** Cleared after a backward pass that does not retain the graph. */
  inputs: readonly Tensor[];
  backward: BackwardRule | null;
}
