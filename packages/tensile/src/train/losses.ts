/**
 * Losses as objects (Keras' classes) and by name. Every loss is called `(predictions, targets)`,
 * the order of the core loss ops and of PyTorch, and reduces per-sample losses to their
 * (optionally weighted) mean.
 *
 * ```ts
 * const loss = new SparseCategoricalCrossentropy({ fromLogits: true });
 * loss.forward(logits, labels); // scalar
 * model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
 * ```
 */
import { checkOptions, optionNames } from '../options.js';
import { ShapeError, ValueError } from '../errors.js';
import { add, clamp, div, mul } from '../ops/arithmetic.js';
import { cast } from '../ops/cast.js';
import {
  binaryCrossEntropy, binaryCrossEntropyWithLogits, cosineSimilarity, hingeLoss, huberLoss, klDivergence, meanAbsoluteError, meanSquaredError, nllLoss,
  softmaxCrossEntropy,
} from '../ops/losses.js';
import { mean, sum } from '../ops/reduce.js';
import { reshape } from '../ops/reshape.js';
import { log, neg } from '../ops/unary.js';
import { checkClassLabels } from '../ops/value-checks.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';

export interface LossConfig {
  readonly className: string;
  readonly config: Readonly<Record<string, number | boolean>>;
}

const EPSILON = 1e-7;

/** Mean over every axis but the first: [N, ...] → [N]. */
function perSampleMean(t: Tensor): Tensor {
  return t.rank <= 1 ? t : mean(reshape(t, [t.shape[0]!, -1]), 1);
}

export abstract class Loss<Args extends object = object> {
  /**
   * The constructor options of this class, refused when misspelt (`from_logits`). Each built-in
   * loss declares its own; a subclass that declares none (a user's loss) is not checked.
   */
  static readonly argNames?: readonly string[];

  constructor(protected readonly args: Args = {} as Args) {
    if (Object.hasOwn(new.target, 'argNames')) checkOptions(new.target.name, args, (new.target as { readonly argNames?: readonly string[] }).argNames!);
  }

  /** One loss value per sample, [N]. */
  abstract perSample(predictions: Tensor, targets: Tensor): Tensor;

  /** The mean loss, each sample weighted by `sampleWeight` [N] when given (Keras' sum-over-batch-size). */
  forward(predictions: Tensor, targets: Tensor, sampleWeight?: Tensor): Tensor {
    const losses = this.perSample(predictions, targets);
    if (!sampleWeight) return mean(losses);
    if (sampleWeight.size !== losses.size) throw new ShapeError(`${this.constructor.name}: sampleWeight ${formatShape(sampleWeight.shape)} must have one weight per sample (${losses.size})`);
    return div(sum(mul(losses, reshape(sampleWeight, losses.shape))), losses.size);
  }

  getConfig(): LossConfig {
    return { className: this.constructor.name, config: this.args as Readonly<Record<string, number | boolean>> };
  }
}

export interface CrossentropyArgs {
  /** Predictions are logits rather than probabilities (more stable; default false as in Keras). */
  readonly fromLogits?: boolean;
  /** Targets become (1 − s)·target + s / classes (s in [0, 1); default 0). */
  readonly labelSmoothing?: number;
}

const CROSSENTROPY_ARGS = optionNames<CrossentropyArgs>()('fromLogits', 'labelSmoothing');

/** The loss's label smoothing, checked once for both the logit and the probability paths. */
function labelSmoothingOf(lossName: string, args: CrossentropyArgs): number {
  const smoothing = args.labelSmoothing ?? 0;
  if (!(smoothing >= 0 && smoothing < 1)) throw new ValueError(`${lossName}: labelSmoothing must be in [0, 1), got ${smoothing}`);
  return smoothing;
}

/** Cross-entropy against one-hot (or probability) targets [N, C]. */
export class CategoricalCrossentropy extends Loss<CrossentropyArgs> {
  static override readonly argNames = CROSSENTROPY_ARGS;

  perSample(predictions: Tensor, targets: Tensor): Tensor {
    if (targets.dtype === 'int32') throw new ShapeError('CategoricalCrossentropy: targets are int32 class indices; use SparseCategoricalCrossentropy');
    const smoothing = labelSmoothingOf(this.constructor.name, this.args);
    if (this.args.fromLogits) return perSampleMean(softmaxCrossEntropy(predictions, targets, { labelSmoothing: smoothing, reduction: 'none' }));
    const classes = predictions.shape[predictions.rank - 1]!;
    const t = smoothing > 0 ? add(mul(targets, 1 - smoothing), smoothing / classes) : targets;
    const p = clamp(div(predictions, sum(predictions, -1, true)), EPSILON, 1 - EPSILON);
    return perSampleMean(neg(sum(mul(t, log(p)), -1)));
  }
}

/**
 * Cross-entropy against integer class labels [N] (float labels are cast). Label smoothing, as in
 * PyTorch's CrossEntropyLoss, spreads s of each target over all classes.
 */
export class SparseCategoricalCrossentropy extends Loss<CrossentropyArgs> {
  static override readonly argNames = CROSSENTROPY_ARGS;

  perSample(predictions: Tensor, targets: Tensor): Tensor {
    // Checked before the cast, which would truncate 0.9 to class 0.
    checkClassLabels(this.constructor.name, targets, predictions.shape[predictions.rank - 1]!);
    const labels = targets.dtype === 'int32' ? targets : cast(targets, 'int32');
    const squeezed = labels.rank === predictions.rank ? reshape(labels, labels.shape.slice(0, -1)) : labels;
    const smoothing = labelSmoothingOf(this.constructor.name, this.args);
    if (this.args.fromLogits) return perSampleMean(softmaxCrossEntropy(predictions, squeezed, { labelSmoothing: smoothing, reduction: 'none' }));
    const logProbs = log(clamp(predictions, EPSILON, 1 - EPSILON));
    const nll = nllLoss(logProbs, squeezed, { reduction: 'none' });
    if (smoothing === 0) return perSampleMean(nll);
    // −Σ_c ((1 − s)·[c = label] + s / C)·log p_c = (1 − s)·nll + s·mean_c(−log p_c)
    return perSampleMean(add(mul(nll, 1 - smoothing), mul(mean(neg(logProbs), -1), smoothing)));
  }
}

/** Binary cross-entropy per element, averaged per sample; targets in [0, 1]. */
export class BinaryCrossentropy extends Loss<CrossentropyArgs> {
  static override readonly argNames = CROSSENTROPY_ARGS;

  perSample(predictions: Tensor, targets: Tensor): Tensor {
    const t0 = reshape(targets.dtype === predictions.dtype ? targets : cast(targets, predictions.dtype), predictions.shape);
    const smoothing = labelSmoothingOf(this.constructor.name, this.args);
    const t = smoothing > 0 ? add(mul(t0, 1 - smoothing), smoothing / 2) : t0;
    const losses = this.args.fromLogits ? binaryCrossEntropyWithLogits(predictions, t, { reduction: 'none' }) : binaryCrossEntropy(predictions, t, { reduction: 'none' });
    return perSampleMean(losses);
  }
}

type ElementwiseLoss = (p: Tensor, t: Tensor, o: { reduction: 'none' }) => Tensor;

function elementwise(predictions: Tensor, targets: Tensor, fn: ElementwiseLoss): Tensor {
  const t = targets.size === predictions.size ? reshape(targets, predictions.shape) : targets;
  return perSampleMean(fn(predictions, t, { reduction: 'none' }));
}

export class MeanSquaredError extends Loss {
  static override readonly argNames = [];

  perSample(predictions: Tensor, targets: Tensor): Tensor {
    return elementwise(predictions, targets, meanSquaredError);
  }
}

export class MeanAbsoluteError extends Loss {
  static override readonly argNames = [];

  perSample(predictions: Tensor, targets: Tensor): Tensor {
    return elementwise(predictions, targets, meanAbsoluteError);
  }
}

/** Quadratic within `delta` (default 1) of the target, linear beyond. */
export class Huber extends Loss<{ readonly delta?: number }> {
  static override readonly argNames = ['delta'];

  perSample(predictions: Tensor, targets: Tensor): Tensor {
    return elementwise(predictions, targets, (p, t, o) => huberLoss(p, t, { ...o, delta: this.args.delta ?? 1 }));
  }
}

/** max(0, 1 − t·y) with targets in {−1, 1} or {0, 1}. */
export class Hinge extends Loss {
  static override readonly argNames = [];

  perSample(predictions: Tensor, targets: Tensor): Tensor {
    return elementwise(predictions, targets, hingeLoss);
  }
}

/** Σ t·log(t/p) over the last axis. */
export class KLDivergence extends Loss {
  static override readonly argNames = [];

  perSample(predictions: Tensor, targets: Tensor): Tensor {
    return elementwise(predictions, targets, klDivergence);
  }
}

/** −cos(predictions, targets) along the last axis (Keras' sign: minimising aligns them). */
export class CosineSimilarity extends Loss {
  static override readonly argNames = [];

  perSample(predictions: Tensor, targets: Tensor): Tensor {
    return perSampleMean(neg(cosineSimilarity(predictions, reshape(targets, predictions.shape))));
  }
}

const LOSS_CLASSES = { CategoricalCrossentropy, SparseCategoricalCrossentropy, BinaryCrossentropy, MeanSquaredError, MeanAbsoluteError, Huber, Hinge, KLDivergence, CosineSimilarity };

const LOSS_NAMES = {
  categoricalCrossentropy: CategoricalCrossentropy,
  sparseCategoricalCrossentropy: SparseCategoricalCrossentropy,
  binaryCrossentropy: BinaryCrossentropy,
  meanSquaredError: MeanSquaredError,
  mse: MeanSquaredError,
  meanAbsoluteError: MeanAbsoluteError,
  mae: MeanAbsoluteError,
  huber: Huber,
  hinge: Hinge,
  klDivergence: KLDivergence,
  kld: KLDivergence,
  cosineSimilarity: CosineSimilarity,
} as const;

export type LossName = keyof typeof LOSS_NAMES;

/** A loss by its Keras name (camelCase): probabilities expected, as with Keras' string names. */
export function lossByName(name: LossName): Loss {
  const cls = (LOSS_NAMES as Record<string, (new () => Loss) | undefined>)[name];
  if (!cls) throw new ValueError(`unknown loss '${name}' (known: ${Object.keys(LOSS_NAMES).join(', ')})`);
  return new cls();
}

export function lossFromConfig(config: LossConfig): Loss {
  const cls = (LOSS_CLASSES as Record<string, (new (args: object) => Loss) | undefined>)[config.className];
  if (!cls) throw new ValueError(`unknown loss class '${config.className}' (known: ${Object.keys(LOSS_CLASSES).join(', ')})`);
  return new cls(config.config);
}

/** A loss written as a function is wrapped so compile() treats it like the built-in ones. */
export class FunctionLoss extends Loss {
  constructor(private readonly fn: (predictions: Tensor, targets: Tensor) => Tensor) {
    super();
  }

  perSample(predictions: Tensor, targets: Tensor): Tensor {
    const value = this.fn(predictions, targets);
    return value.rank === 0 ? reshape(value, [1]) : perSampleMean(value);
  }
}

