/** Operand strides of a broadcasting binary op, with the common cases folded to one dimension. */
import type { Shape } from 'tensile';

export interface BroadcastPlan {
  readonly shape: readonly number[];
  readonly aStrides: readonly number[];
  readonly bStrides: readonly number[];
}

/** Row-major strides of `shape` aligned right to `outShape`, 0 along broadcast dimensions. */
function stridesOver(shape: Shape, outShape: Shape): number[] {
  const out = new Array<number>(outShape.length).fill(0);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    out[outShape.length - shape.length + i] = shape[i] === 1 ? 0 : stride;
    stride *= shape[i]!;
  }
  return out;
}

const sizeOf = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);

export function broadcastPlan(aShape: Shape, bShape: Shape, outShape: Shape): BroadcastPlan {
  const total = sizeOf(outShape);
  const [aSize, bSize] = [sizeOf(aShape), sizeOf(bShape)];
  // Same size as the output means no broadcasting: one contiguous row (a scalar operand steps by 0).
  if ((aSize === total || aSize === 1) && (bSize === total || bSize === 1)) {
    return { shape: [total], aStrides: [aSize === total ? 1 : 0], bStrides: [bSize === total ? 1 : 0] };
  }
  return { shape: [...outShape], aStrides: stridesOver(aShape, outShape), bStrides: stridesOver(bShape, outShape) };
}
