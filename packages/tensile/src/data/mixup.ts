/**
 * MixUp (Zhang et al., 2018): a batch blended with a shuffled copy of itself,
 * x' = λ·x + (1 − λ)·x[π] and y' = λ·y + (1 − λ)·y[π], with one λ ~ Beta(α, α) per batch (as
 * torchvision's v2.MixUp). Class labels (int32, or the float32 a batch of numbers collates to)
 * become one-hot first, so the mixed batch trains with a categorical cross-entropy.
 *
 * ```ts
 * const mixed = mixUp(batch.x, batch.y, { alpha: 0.2, classes: 10 });
 * ```
 */
import { ShapeError, ValueError } from '../errors.js';
import { add, mul } from '../ops/arithmetic.js';
import { cast } from '../ops/cast.js';
import { tensor } from '../ops/creation.js';
import { gather, oneHot } from '../ops/gather.js';
import { scope } from '../tensor/lifetime.js';
import { globalGenerator, type Generator } from '../tensor/random.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkOptions, optionNames } from '../options.js';

export interface MixUpOptions {
  /** Beta(α, α) concentration: a small α keeps most samples close to one of their pair (0.1–0.4 is usual). */
  readonly alpha: number;
  /** Number of classes, to one-hot class labels. */
  readonly classes: number;
  /** Source of λ and of the pairing (default: the global generator, so `manualSeed` makes it repeatable). */
  readonly generator?: Generator;
}

const MIX_UP_OPTION_NAMES = optionNames<MixUpOptions>()('alpha', 'classes', 'generator');

/** The mixed batch: inputs like `x`, float targets [N, classes]. The caller owns (and frees) both. */
export function mixUp(x: Tensor, y: Tensor, options: MixUpOptions): { x: Tensor; y: Tensor } {
  checkOptions('mixUp', options, MIX_UP_OPTION_NAMES);
  const { alpha, classes } = options;
  if (!(alpha > 0 && Number.isFinite(alpha))) throw new ValueError(`mixUp: alpha must be a positive finite number, got ${alpha}`);
  if (!(Number.isInteger(classes) && classes > 0)) throw new ValueError(`mixUp: classes must be a positive integer, got ${classes}`);
  const n = x.shape[0];
  if (n === undefined || y.shape[0] !== n) throw new ShapeError(`mixUp: inputs ${formatShape(x.shape)} and targets ${formatShape(y.shape)} must have the same samples on axis 0`);
  const sparse = y.rank === 1;
  if (!sparse && !(y.rank === 2 && y.shape[1] === classes)) {
    throw new ShapeError(`mixUp: targets ${formatShape(y.shape)} must be class labels ${formatShape([n])} or one-hot ${formatShape([n, classes])}`);
  }
  if (sparse) {
    // Collated labels arrive as float32; any dtype is taken as long as the values are class indices.
    const labels = y.dataSync();
    const bad = labels.findIndex((label) => !(Number.isInteger(label) && label >= 0 && label < classes));
    if (bad >= 0) throw new ValueError(`mixUp: label ${labels[bad]} of sample ${bad} is not a class index in [0, ${classes})`);
  }
  const generator = options.generator ?? globalGenerator;
  const lambda = generator.beta(alpha, alpha);
  const pairing = generator.shuffle(Array.from({ length: n }, (_, i) => i));
  return scope(() => {
    const partner = tensor(Int32Array.from(pairing), [n]);
    const targets = sparse ? oneHot(y.dtype === 'int32' ? y : cast(y, 'int32'), classes) : y;
    const blend = (t: Tensor): Tensor => add(mul(t, lambda), mul(gather(t, partner, 0), 1 - lambda));
    return { x: blend(x), y: blend(targets) };
  });
}
