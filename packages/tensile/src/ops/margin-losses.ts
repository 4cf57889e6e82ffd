/**
 * Additive-margin softmax (CosFace, Wang et al. 2018): the cross-entropy of s·(cos θ_j − m·[j = y]),
 * where cos θ_j is the cosine between an embedding and class j's weight vector. Subtracting the margin
 * from the true class's cosine only makes a sample count as classified when it is nearer its class by
 * m than any other, which pulls each person's embeddings together and pushes people apart on the sphere.
 *
 * ```ts
 * const cosines = matmul(l2Normalize(embeddings), l2Normalize(classWeights, { axis: 0 })); // [N, C]
 * const loss = additiveMarginSoftmaxLoss(cosines, labels, { scale: 30, margin: 0.35 });
 * ```
 */
import { DTypeError, ShapeError, ValueError } from '../errors.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { mul, sub } from './arithmetic.js';
import { requireTensor } from './dispatch.js';
import { oneHot } from './gather.js';
import { lossCall, softmaxCrossEntropy, type LossOptions } from './losses.js';
import { optionNames } from '../options.js';
import { defineOp } from './registry.js';

export interface AdditiveMarginOptions extends LossOptions {
  /** s: the logits' scale, the inverse temperature on the unit sphere (default 30). */
  readonly scale?: number;
  /** m: subtracted from the true class's cosine (default 0.35, CosFace's choice). */
  readonly margin?: number;
}

/** CosFace's loss from cosines [N, C] in [−1, 1] and int32 class labels [N]. */
export const additiveMarginSoftmaxLoss = defineOp(
  'additiveMarginSoftmaxLoss',
  'differentiable',
  (cosines: Tensor, labels: Tensor, options: AdditiveMarginOptions = {}): Tensor => {
    const op = 'additiveMarginSoftmaxLoss';
    requireTensor(op, cosines, 'cosines');
    requireTensor(op, labels, 'labels');
    if (cosines.rank !== 2) throw new ShapeError(`${op}: cosines must be [batch, classes], got ${formatShape(cosines.shape)}`);
    if (cosines.dtype !== 'float32' && cosines.dtype !== 'float64') throw new DTypeError(`${op}: cosines must be float32 or float64, got ${cosines.dtype}`);
    if (labels.dtype !== 'int32') throw new DTypeError(`${op}: labels must be int32 class indices, got ${labels.dtype}`);
    if (!shapesEqual(labels.shape, [cosines.shape[0]!])) throw new ShapeError(`${op}: labels ${formatShape(labels.shape)} must be [${cosines.shape[0]}], one per row of cosines`);
    const scale = options.scale ?? 30;
    const margin = options.margin ?? 0.35;
    if (!(scale > 0)) throw new ValueError(`${op}: scale must be positive, got ${scale}`);
    if (!(margin >= 0 && margin < 2)) throw new ValueError(`${op}: margin must be in [0, 2), got ${margin}`);
    const marginTerm = oneHot(labels, cosines.shape[1]!, { dtype: cosines.dtype, onValue: margin });
    return softmaxCrossEntropy(mul(sub(cosines, marginTerm), scale), labels, { reduction: options.reduction });
  },
  lossCall(optionNames<AdditiveMarginOptions>()('reduction', 'scale', 'margin')),
);
