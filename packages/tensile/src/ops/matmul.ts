/** Matrix products: 1-D, 2-D and batched with broadcast batch axes (numpy's matmul rules). */
import { record } from '../autograd/graph.js';
import { DTypeError, ShapeError } from '../errors.js';
import { broadcastShapes, formatShape, shapesEqual, sizeOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { broadcastTo } from './broadcast.js';
import { backendOf, requireTensor } from './dispatch.js';
import { wrap } from '../tensor/wrap.js';
import { backendEpilogue, epilogueGradients, checkEpilogue, epilogueInputs, NO_EPILOGUE, preActivationGradient, type Epilogue } from './epilogue.js';
import { sumTo } from './reduce.js';
import { defineOp } from './registry.js';
import { reshape } from './reshape.js';

/**
 * op(a)·op(b) over [..., m, k] × [..., k, n] where op transposes the last two axes when asked,
 * without materialising the transpose, then the epilogue (+ bias[n], ReLU) in the same kernel.
 * Both operands have rank ≥ 2.
 */
export function matmulTransposed(a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean, epilogue: Epilogue = NO_EPILOGUE): Tensor {
  const [ra, ca] = a.shape.slice(-2) as [number, number];
  const [rb, cb] = b.shape.slice(-2) as [number, number];
  const [m, k] = transposeA ? [ca, ra] : [ra, ca];
  const [k2, n] = transposeB ? [cb, rb] : [rb, cb];
  if (k !== k2) {
    throw new ShapeError(`matmul: inner dimensions differ: ${formatShape(a.shape)}${transposeA ? 'ᵀ' : ''} × ${formatShape(b.shape)}${transposeB ? 'ᵀ' : ''}`);
  }
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const batchShape = broadcastShapes(batchA, batchB, 'matmul');
  const batch = sizeOf(batchShape);
  // A missing or all-ones batch reuses one matrix (stride 0); any other broadcast is materialised.
  const prepare = (t: Tensor, own: readonly number[]): [Tensor, number] => {
    if (sizeOf(own) === 1) return [t, 0];
    if (shapesEqual(own, batchShape)) return [t, t.shape[t.rank - 2]! * t.shape[t.rank - 1]!];
    return [broadcastTo(t, [...batchShape, ...t.shape.slice(-2)]), t.shape[t.rank - 2]! * t.shape[t.rank - 1]!];
  };
  const [pa, aStride] = prepare(a, batchA);
  const [pb, bStride] = prepare(b, batchB);
  const op = epilogue === NO_EPILOGUE ? 'matmul' : 'fusedMatmul';
  const outShape = [...batchShape, m, n];
  checkEpilogue(op, epilogue, outShape, a.dtype);
  const backend = backendOf(op, a, b, ...epilogueInputs(epilogue));
  const info = { batch, m, n, k, transposeA, transposeB, aBatchStride: aStride, bBatchStride: bStride };
  const y = wrap(backend, backend.matmul(pa, pb, info, backendEpilogue(epilogue)), outShape, a.dtype);
  // With C = op(A)·op(B): d op(A) = dC·op(B)ᵀ and d op(B) = op(A)ᵀ·dC, transposed back where op transposed.
  return record(op, y, [a, b, ...epilogueInputs(epilogue)], (dy) => {
    const dc = preActivationGradient(y, dy, epilogue);
    return [
      a.requiresGrad
        ? sumTo(transposeA ? matmulTransposed(b, dc, transposeB, true) : matmulTransposed(dc, b, false, !transposeB), a.shape)
        : null,
      b.requiresGrad
        ? sumTo(transposeB ? matmulTransposed(dc, a, true, transposeA) : matmulTransposed(a, dc, !transposeA, false), b.shape)
        : null,
      ...epilogueGradients(dc, epilogue),
    ];
  });
}

/**
 * Matrix product with numpy semantics: 1-D operands are promoted to a row/column and the added
 * axis removed; batch axes broadcast.
 */
export const matmul = defineOp('matmul', 'differentiable', (a: Tensor, b: Tensor): Tensor => {
  requireTensor('matmul', a);
  requireTensor('matmul', b, 'second operand');
  if (a.rank === 0 || b.rank === 0) throw new ShapeError(`matmul: operands must have rank ≥ 1, got ${formatShape(a.shape)} × ${formatShape(b.shape)}`);
  if (a.dtype !== b.dtype || a.dtype === 'bool') throw new DTypeError(`matmul: operands must share a numeric dtype, got ${a.dtype} × ${b.dtype}`);
  const a2 = a.rank === 1 ? reshape(a, [1, a.shape[0]!]) : a;
  const b2 = b.rank === 1 ? reshape(b, [b.shape[0]!, 1]) : b;
  if (a2.shape[a2.rank - 1] !== b2.shape[b2.rank - 2]) {
    throw new ShapeError(`matmul: inner dimensions differ: ${formatShape(a.shape)} × ${formatShape(b.shape)}`);
  }
  const y = matmulTransposed(a2, b2, false, false);
  if (a.rank > 1 && b.rank > 1) return y;
  const shape = y.shape.slice(0, -2);
  if (a.rank > 1) shape.push(y.shape[y.rank - 2]!);
  if (b.rank > 1) shape.push(y.shape[y.rank - 1]!);
  return reshape(y, shape);
});

/** Inner product of two 1-D tensors. */
export const dot = defineOp('dot', 'differentiable', (a: Tensor, b: Tensor): Tensor => {
  if (a.rank !== 1 || b.rank !== 1) throw new ShapeError(`dot: expects 1-D tensors, got ${formatShape(a.shape)} · ${formatShape(b.shape)}`);
  return matmul(a, b);
});

/** Outer product of two 1-D tensors. */
export const outer = defineOp('outer', 'differentiable', (a: Tensor, b: Tensor): Tensor => {
  if (a.rank !== 1 || b.rank !== 1) throw new ShapeError(`outer: expects 1-D tensors, got ${formatShape(a.shape)} ⊗ ${formatShape(b.shape)}`);
  return matmul(reshape(a, [-1, 1]), reshape(b, [1, -1]));
});

/** x·Wᵀ + b with W stored [out, in] (PyTorch's linear); `bias` optional. */
export const linear = defineOp('linear', 'differentiable', (x: Tensor, weight: Tensor, bias?: Tensor): Tensor => {
  if (weight.rank !== 2) throw new ShapeError(`linear: weight must be [out, in], got ${formatShape(weight.shape)}`);
  const x2 = x.rank === 1 ? reshape(x, [1, -1]) : x;
  let y = matmulTransposed(x2, weight, false, true);
  if (bias) y = y.add(bias);
  return x.rank === 1 ? reshape(y, [-1]) : y;
});
