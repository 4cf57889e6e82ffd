/**
 * What the variants share: shuffled mini-batches, the detector's loss (binary + 5-class,
 * with label smoothing), batched scoring, and an epoch loop with early stopping on the validation
 * loss that restores the best weights.
 */
import { add, binaryCrossEntropyWithLogits, Generator, mul, noGrad, type Optimizer, scope, type Sequential, softmaxCrossEntropy, tensor, type Tensor, yieldToEventLoop } from 'tensile';
import { attackLogits, categoryLogits } from './network.js';

/** Encoded records with their labels, row-major `[count, width]`. */
export interface EncodedSet {
  readonly features: Float32Array;
  readonly count: number;
  readonly width: number;
  readonly binary: Uint8Array;
  readonly category: Uint8Array;
}

export interface Batch {
  readonly x: Tensor;
  /** Attack targets `[n, 1]` after label smoothing. */
  readonly target: Tensor;
  readonly category: Tensor;
  /** Rows that are normal traffic. */
  readonly normalRows: number[];
}

/** Rows `rows` of `set` as tensors; binary targets smoothed to s/2 and 1 − s/2. */
export function batchOf(set: EncodedSet, rows: readonly number[], labelSmoothing: number): Batch {
  const x = new Float32Array(rows.length * set.width);
  rows.forEach((row, i) => x.set(set.features.subarray(row * set.width, (row + 1) * set.width), i * set.width));
  const target = Float32Array.from(rows, (row) => (set.binary[row] ? 1 - labelSmoothing / 2 : labelSmoothing / 2));
  return {
    x: tensor(x, [rows.length, set.width]),
    target: tensor(target, [rows.length, 1]),
    category: tensor(Int32Array.from(rows, (row) => set.category[row]!), [rows.length]),
    normalRows: rows.flatMap((row, i) => (set.binary[row] ? [] : [i])),
  };
}

/** Binary cross-entropy of the attack logit plus the 5-class cross-entropy, both smoothed. */
export function detectorLoss(output: Tensor, batch: Batch, labelSmoothing: number): Tensor {
  return add(
    binaryCrossEntropyWithLogits(attackLogits(output), batch.target),
    softmaxCrossEntropy(categoryLogits(output), batch.category, { labelSmoothing }),
  );
}

/** One plain supervised step (the MLP and logistic regression): the detector loss on a batch of real records. */
export function supervisedStep(detector: Sequential, optimizer: Optimizer, set: EncodedSet, labelSmoothing: number): (rows: readonly number[]) => number {
  return (rows) =>
    scope(() => {
      const batch = batchOf(set, rows, labelSmoothing);
      const loss = detectorLoss(detector.forward(batch.x), batch, labelSmoothing);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      return loss.item();
    });
}

export interface DetectorScores {
  /** P(attack) per record. */
  readonly attack: Float32Array;
  /** The most likely of the 5 categories per record. */
  readonly category: Uint8Array;
}

/** Scores `count` encoded records in batches, in eval mode, without a graph. */
export function scoreEncoded(detector: Sequential, features: Float32Array, count: number, width: number, batchSize = 2048): DetectorScores {
  const attack = new Float32Array(count);
  const category = new Uint8Array(count);
  detector.eval();
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const out = noGrad(() => scope(() => detector.forward(tensor(features.slice(start * width, (start + n) * width), [n, width])).keep()));
    const values = out.dataSync();
    out.dispose();
    const outputs = values.length / n;
    for (let i = 0; i < n; i++) {
      attack[start + i] = 1 / (1 + Math.exp(-values[i * outputs]!));
      let best = 1;
      for (let c = 2; c < outputs; c++) if (values[i * outputs + c]! > values[i * outputs + best]!) best = c;
      category[start + i] = best - 1;
    }
  }
  detector.train();
  return { attack, category };
}

/** Mean detector loss (unsmoothed) over a set, for early stopping. */
export function validationLoss(detector: Sequential, set: EncodedSet, batchSize = 2048): number {
  let total = 0;
  detector.eval();
  for (let start = 0; start < set.count; start += batchSize) {
    const rows = Array.from({ length: Math.min(batchSize, set.count - start) }, (_, i) => start + i);
    total += noGrad(() =>
      scope(() => {
        const batch = batchOf(set, rows, 0);
        return mul(detectorLoss(detector.forward(batch.x), batch, 0), rows.length).item();
      }),
    );
  }
  detector.train();
  return total / set.count;
}

export interface EpochLoopOptions {
  /** The networks trained; the weights of all of them at the best epoch are kept. */
  readonly networks: readonly Sequential[];
  /** Rows of the fitting data, shuffled into batches each epoch. */
  readonly rows: number;
  /** What early stopping minimises, measured after each epoch. */
  readonly validationLoss: () => number;
  readonly batchSize: number;
  readonly maxEpochs: number;
  /** Epochs without a better validation loss before stopping. */
  readonly patience: number;
  readonly seed: number;
  /** One training step on the rows of a batch; returns the step's loss for the log. */
  readonly step: (rows: readonly number[]) => number;
  readonly onEpoch?: (epoch: EpochLog) => void;
}

export interface EpochLog {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly validationLoss: number;
  readonly seconds: number;
}

export interface EpochLoopResult {
  readonly epochs: EpochLog[];
  /** The epoch whose weights were kept (1-based). */
  readonly bestEpoch: number;
}

export async function runEpochs(options: EpochLoopOptions): Promise<EpochLoopResult> {
  const shuffler = new Generator(options.seed);
  const epochs: EpochLog[] = [];
  let best = { loss: Infinity, epoch: 0, weights: null as Map<string, Tensor>[] | null };
  for (let epoch = 1; epoch <= options.maxEpochs; epoch++) {
    const started = performance.now();
    const order = shuffler.shuffle(Array.from({ length: options.rows }, (_, i) => i));
    let lossSum = 0;
    let steps = 0;
    for (let start = 0; start < order.length; start += options.batchSize) {
      lossSum += options.step(order.slice(start, start + options.batchSize));
      steps++;
      await yieldToEventLoop();
    }
    const log = { epoch, trainLoss: lossSum / steps, validationLoss: options.validationLoss(), seconds: (performance.now() - started) / 1000 };
    epochs.push(log);
    options.onEpoch?.(log);
    if (log.validationLoss < best.loss) {
      for (const t of best.weights?.flatMap((w) => [...w.values()]) ?? []) t.dispose();
      best = { loss: log.validationLoss, epoch, weights: options.networks.map(snapshot) };
    } else if (epoch - best.epoch >= options.patience) break;
  }
  best.weights?.forEach((weights, i) => {
    options.networks[i]!.loadStateDict(Object.fromEntries(weights));
    for (const t of weights.values()) t.dispose();
  });
  return { epochs, bestEpoch: best.epoch };
}

function snapshot(network: Sequential): Map<string, Tensor> {
  return new Map(Object.entries(network.stateDict()).map(([name, t]) => [name, noGrad(() => t.clone()).keep()]));
}
