/** Loss functions on tensors. Each takes predictions first, targets second, and a reduction. */
import { DTypeError, ShapeError, ValueError } from '../errors.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { logSoftmax } from './activations.js';
import { add, clamp, div, maximum, minimum, mul, sub } from './arithmetic.js';
import { cast } from './cast.js';
import { requireTensor } from './dispatch.js';
import { oneHot, takeAlongAxis } from './gather.js';
import { mean, sum } from './reduce.js';
import { defineOp } from './registry.js';
import { squeeze, unsqueeze } from './reshape.js';
import { abs, exp, log, log1p, neg, relu, square } from './unary.js';
import { where } from './where.js';
import { le } from './compare.js';
import { checkClassLabels, checkUnitInterval } from './value-checks.js';
import { fusedSoftmaxCrossEntropy } from './fused-softmax-cross-entropy.js';
import type { CallSpec } from '../options.js';

export type Reduction = 'mean' | 'sum' | 'none';

export interface LossOptions {
  reduction?: Reduction;
}

/** `(predictions, targets, options?)` with the option names a loss op takes. */
export function lossCall(options: readonly string[]): CallSpec {
  return { maxArgs: 3, optionsAt: 2, options };
}

function reduce(op: string, loss: Tensor, reduction: Reduction | undefined): Tensor {
  switch (reduction ?? 'mean') {
    case 'mean':
      return mean(loss);
    case 'sum':
      return sum(loss);
    case 'none':
      return loss;
    default:
      throw new ValueError(`${op}: reduction must be 'mean', 'sum' or 'none', got ${String(reduction)}`);
  }
}

function sameShape(op: string, predictions: Tensor, targets: Tensor): void {
  requireTensor(op, predictions, 'predictions');
  requireTensor(op, targets, 'targets');
  if (!shapesEqual(predictions.shape, targets.shape)) {
    throw new ShapeError(`${op}: predictions ${formatShape(predictions.shape)} and targets ${formatShape(targets.shape)} differ in shape`);
  }
}

function asFloat(t: Tensor, like: Tensor): Tensor {
  return t.dtype === like.dtype ? t : cast(t, like.dtype);
}

/** Per-row target distribution from int32 class indices [...] or one-hot/probabilities [..., C]. */
function targetDistribution(op: string, logits: Tensor, labels: Tensor, labelSmoothing: number): Tensor | null {
  const classes = logits.shape[logits.rank - 1]!;
  if (labels.dtype === 'int32') {
    if (!shapesEqual(labels.shape, logits.shape.slice(0, -1))) {
      throw new ShapeError(`${op}: integer labels ${formatShape(labels.shape)} must have the logits' shape without the class axis ${formatShape(logits.shape)}`);
    }
    checkClassLabels(op, labels, classes);
    return labelSmoothing > 0 ? oneHot(labels, classes, { dtype: logits.dtype as 'float32' | 'float64' }) : null;
  }
  if (!shapesEqual(labels.shape, logits.shape)) {
    throw new ShapeError(`${op}: one-hot labels ${formatShape(labels.shape)} must match logits ${formatShape(logits.shape)}`);
  }
  return asFloat(labels, logits);
}

/**
 * Cross-entropy of softmax(logits) against int32 class labels or one-hot/probability targets,
 * with optional label smoothing (targets · (1 − s) + s / classes).
 */
export const softmaxCrossEntropy = defineOp(
  'softmaxCrossEntropy',
  'differentiable',
  (logits: Tensor, labels: Tensor, options: LossOptions & { labelSmoothing?: number } = {}): Tensor => {
    requireTensor('softmaxCrossEntropy', logits, 'logits');
    requireTensor('softmaxCrossEntropy', labels, 'labels');
    if (logits.rank < 1) throw new ShapeError('softmaxCrossEntropy: logits need a class axis');
    const smoothing = options.labelSmoothing ?? 0;
    if (!(smoothing >= 0 && smoothing < 1)) throw new ValueError(`softmaxCrossEntropy: labelSmoothing must be in [0, 1), got ${smoothing}`);
    const target = targetDistribution('softmaxCrossEntropy', logits, labels, smoothing);
    let loss: Tensor;
    if (target === null) {
      loss = fusedSoftmaxCrossEntropy(logits, labels) ?? neg(squeeze(takeAlongAxis(logSoftmax(logits, -1), unsqueeze(labels, -1), -1), -1));
    } else {
      const classes = logits.shape[logits.rank - 1]!;
      const smoothed = smoothing > 0 ? add(mul(target, 1 - smoothing), smoothing / classes) : target;
      loss = neg(sum(mul(smoothed, logSoftmax(logits, -1)), -1));
    }
    return reduce('softmaxCrossEntropy', loss, options.reduction);
  },
  lossCall(['reduction', 'labelSmoothing']),
);

/** Negative log-likelihood of log-probabilities [..., C] at int32 labels [...]. */
export const nllLoss = defineOp('nllLoss', 'differentiable', (logProbs: Tensor, labels: Tensor, options: LossOptions = {}): Tensor => {
  requireTensor('nllLoss', logProbs, 'logProbs');
  if (labels.dtype !== 'int32') throw new DTypeError(`nllLoss: labels must be int32 class indices, got ${labels.dtype}`);
  if (!shapesEqual(labels.shape, logProbs.shape.slice(0, -1))) {
    throw new ShapeError(`nllLoss: labels ${formatShape(labels.shape)} must be logProbs ${formatShape(logProbs.shape)} without the class axis`);
  }
  checkClassLabels('nllLoss', labels, logProbs.shape[logProbs.rank - 1]!);
  return reduce('nllLoss', neg(squeeze(takeAlongAxis(logProbs, unsqueeze(labels, -1), -1), -1)), options.reduction);
}, lossCall(['reduction']));

/** Binary cross-entropy on logits: max(x,0) − x·t + log(1 + e^(−|x|)), stable for any x. */
export const binaryCrossEntropyWithLogits = defineOp(
  'binaryCrossEntropyWithLogits',
  'differentiable',
  (logits: Tensor, targets: Tensor, options: LossOptions & { posWeight?: number } = {}): Tensor => {
    sameShape('binaryCrossEntropyWithLogits', logits, targets);
    checkUnitInterval('binaryCrossEntropyWithLogits', 'target', targets);
    const t = asFloat(targets, logits);
    const softplusNeg = log1p(exp(neg(abs(logits))));
    let loss: Tensor;
    if (options.posWeight === undefined) loss = add(sub(relu(logits), mul(logits, t)), softplusNeg);
    else {
      // (1 − t)·x + (1 + (w − 1)·t)·log(1 + e^(−x)), with log(1 + e^(−x)) = softplus(−x) written stably.
      const logWeight = add(mul(t, options.posWeight - 1), 1);
      loss = add(mul(sub(1, t), logits), mul(logWeight, add(relu(neg(logits)), softplusNeg)));
    }
    return reduce('binaryCrossEntropyWithLogits', loss, options.reduction);
  },
  lossCall(['reduction', 'posWeight']),
);

/** Binary cross-entropy on probabilities in [0, 1] (refused outside), clipped to [ε, 1 − ε] as Keras does. */
export const binaryCrossEntropy = defineOp(
  'binaryCrossEntropy',
  'differentiable',
  (probabilities: Tensor, targets: Tensor, options: LossOptions & { epsilon?: number } = {}): Tensor => {
    sameShape('binaryCrossEntropy', probabilities, targets);
    checkUnitInterval('binaryCrossEntropy', 'target', targets);
    checkUnitInterval('binaryCrossEntropy', 'probability', probabilities);
    const eps = options.epsilon ?? 1e-7;
    const p = clamp(probabilities, eps, 1 - eps);
    const t = asFloat(targets, probabilities);
    return reduce('binaryCrossEntropy', neg(add(mul(t, log(p)), mul(sub(1, t), log(sub(1, p))))), options.reduction);
  },
  lossCall(['reduction', 'epsilon']),
);

export const meanSquaredError = defineOp('meanSquaredError', 'differentiable', (predictions: Tensor, targets: Tensor, options: LossOptions = {}): Tensor => {
  sameShape('meanSquaredError', predictions, targets);
  return reduce('meanSquaredError', square(sub(predictions, asFloat(targets, predictions))), options.reduction);
}, lossCall(['reduction']));

export const meanAbsoluteError = defineOp('meanAbsoluteError', 'differentiable', (predictions: Tensor, targets: Tensor, options: LossOptions = {}): Tensor => {
  sameShape('meanAbsoluteError', predictions, targets);
  return reduce('meanAbsoluteError', abs(sub(predictions, asFloat(targets, predictions))), options.reduction);
}, lossCall(['reduction']));

/** Quadratic within `delta` of the target, linear beyond. */
export const huberLoss = defineOp('huberLoss', 'differentiable', (predictions: Tensor, targets: Tensor, options: LossOptions & { delta?: number } = {}): Tensor => {
  sameShape('huberLoss', predictions, targets);
  const delta = options.delta ?? 1;
  if (!(delta > 0)) throw new ValueError(`huberLoss: delta must be positive, got ${delta}`);
  const err = abs(sub(predictions, asFloat(targets, predictions)));
  const quad = minimum(err, delta);
  return reduce('huberLoss', add(mul(square(quad), 0.5), mul(sub(err, quad), delta)), options.reduction);
}, lossCall(['reduction', 'delta']));

/** Σ t·log(t/p) over the last axis, with both clipped to [ε, 1] (Keras' KLDivergence). */
export const klDivergence = defineOp('klDivergence', 'differentiable', (predictions: Tensor, targets: Tensor, options: LossOptions & { epsilon?: number } = {}): Tensor => {
  sameShape('klDivergence', predictions, targets);
  const eps = options.epsilon ?? 1e-7;
  const t = clamp(asFloat(targets, predictions), eps, 1);
  const p = clamp(predictions, eps, 1);
  return reduce('klDivergence', sum(mul(t, log(div(t, p))), -1), options.reduction);
}, lossCall(['reduction', 'epsilon']));

/** max(0, 1 − t·y) with targets in {−1, 1} (0/1 targets are mapped to −1/1, as Keras does). */
export const hingeLoss = defineOp('hingeLoss', 'differentiable', (predictions: Tensor, targets: Tensor, options: LossOptions = {}): Tensor => {
  sameShape('hingeLoss', predictions, targets);
  const t0 = asFloat(targets, predictions);
  const t = cast(where(le(t0, 0), -1, 1), predictions.dtype);
  return reduce('hingeLoss', mean(relu(sub(1, mul(t, predictions))), -1), options.reduction);
}, lossCall(['reduction']));

/** Cosine similarity along `axis`: Σ a·b / (‖a‖·‖b‖), with norms floored at ε. */
export const cosineSimilarity = defineOp('cosineSimilarity', 'differentiable', (a: Tensor, b: Tensor, options: { axis?: number; epsilon?: number } = {}): Tensor => {
  sameShape('cosineSimilarity', a, b);
  const axis = options.axis ?? -1;
  const eps = options.epsilon ?? 1e-8;
  const norm = (t: Tensor): Tensor => maximum(sum(square(t), axis).sqrt(), eps);
  return div(sum(mul(a, b), axis), mul(norm(a), norm(b)));
}, lossCall(['axis', 'epsilon']));

/** 1 − cosine similarity, reduced over the batch. */
export const cosineEmbeddingLoss = defineOp('cosineEmbeddingLoss', 'differentiable', (predictions: Tensor, targets: Tensor, options: LossOptions = {}): Tensor =>
  reduce('cosineEmbeddingLoss', sub(1, cosineSimilarity(predictions, asFloat(targets, predictions))), options.reduction),
  lossCall(['reduction']),
);

