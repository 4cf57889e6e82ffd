/** Layers that combine several inputs: Concatenate, Add, Multiply. */
import { ShapeError } from '../../errors.js';
import { add, mul } from '../../ops/arithmetic.js';
import { concat } from '../../ops/concat.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type LayerArgs, MergeLayer } from '../layer.js';
import { formatSymbolicShape, type SymbolicShape } from '../symbolic.js';
import { LAYER_ARGS } from '../layer.js';
import { optionNames } from '../../options.js';



function requireSeveral(shapes: readonly SymbolicShape[]): void {
  if (shapes.length < 2) throw new ShapeError(`needs at least 2 inputs, got ${shapes.length}`);
}

function sizesAgree(a: number | null, b: number | null): boolean {
  return a === null || b === null || a === b;
}

export interface ConcatenateArgs extends LayerArgs {
  /** Axis to join along (default -1, the channels). */
  readonly axis?: number;
}

/** Joins inputs along `axis`; they must agree on every other axis. */
export class Concatenate extends MergeLayer<ConcatenateArgs> {
  static override readonly argNames = optionNames<ConcatenateArgs>()(...LAYER_ARGS, 'axis');

  constructor(args: ConcatenateArgs = {}) {
    super(args);
  }

  computeOutputShape(shapes: readonly SymbolicShape[]): SymbolicShape {
    requireSeveral(shapes);
    const first = shapes[0]!;
    const axis = (this.args.axis ?? -1) < 0 ? first.length + (this.args.axis ?? -1) : this.args.axis!;
    if (axis < 1 || axis >= first.length) throw new ShapeError(`axis ${this.args.axis} is out of range for inputs of rank ${first.length} (the batch axis cannot be joined)`);
    for (const s of shapes) {
      if (s.length !== first.length || s.some((d, i) => i !== axis && !sizesAgree(d, first[i]!))) {
        throw new ShapeError(`inputs ${shapes.map(formatSymbolicShape).join(', ')} differ outside axis ${axis}`);
      }
    }
    const joined = shapes.reduce<number | null>((sum, s) => (sum === null || s[axis] === null ? null : sum + s[axis]!), 0);
    return first.map((d, i) => (i === axis ? joined : d));
  }

  protected call(xs: readonly Tensor[]): Tensor {
    return concat(xs, this.args.axis ?? -1);
  }
}

/** Shared by elementwise merges: all inputs have the same shape. */
abstract class ElementwiseMerge extends MergeLayer {
  constructor(args: LayerArgs = {}) {
    super(args);
  }

  computeOutputShape(shapes: readonly SymbolicShape[]): SymbolicShape {
    requireSeveral(shapes);
    const first = shapes[0]!;
    for (const s of shapes) {
      if (s.length !== first.length || s.some((d, i) => !sizesAgree(d, first[i]!))) {
        throw new ShapeError(`inputs must have equal shapes, got ${shapes.map(formatSymbolicShape).join(', ')}`);
      }
    }
    return first.map((d, i) => d ?? shapes.find((s) => s[i] !== null)?.[i] ?? null);
  }

  protected abstract combine(a: Tensor, b: Tensor): Tensor;

  protected call(xs: readonly Tensor[]): Tensor {
    return xs.slice(1).reduce((acc, x) => this.combine(acc, x), xs[0]!);
  }
}

/** Elementwise sum of the inputs (residual connections). */
export class Add extends ElementwiseMerge {
  static override readonly argNames = LAYER_ARGS;

  protected combine(a: Tensor, b: Tensor): Tensor {
    return add(a, b);
  }
}

/** Elementwise product of the inputs (gating). */
export class Multiply extends ElementwiseMerge {
  static override readonly argNames = LAYER_ARGS;

  protected combine(a: Tensor, b: Tensor): Tensor {
    return mul(a, b);
  }
}
