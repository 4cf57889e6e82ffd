/**
 * A linear support-vector machine trained with Tensile: mean hinge loss max(0, 1 − y·(x·w + b)) plus
 * (λ/2)·‖w‖², minimised by Adam over shuffled mini-batches with a cosine-decayed rate. λ plays the part
 * of 1/(C·n) in the C-parameterised SVM.
 */
import { add, Adam, CosineDecay, Generator, hingeLoss, matmul, mul, reshape, scope, square, sum, tensor, zeros, type Tensor } from 'tensile';

export interface SvmSettings {
  /** L2 strength λ. */
  readonly lambda: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly seed: number;
}

export interface LinearModel {
  readonly weights: Float32Array;
  readonly bias: number;
}

/** Rows of a feature matrix with ±1 labels. */
export interface LabeledFeatures {
  readonly width: number;
  readonly rows: readonly Float32Array[];
  readonly labels: readonly (1 | -1)[];
}

/** The hinge objective on one batch: mean hinge loss plus the L2 penalty. */
function objective(x: Tensor, y: Tensor, w: Tensor, b: Tensor, lambda: number): Tensor {
  const scores = reshape(add(matmul(x, w), b), [-1]);
  return add(hingeLoss(scores, y), mul(sum(square(w)), lambda / 2));
}

export function trainLinearSvm(data: LabeledFeatures, settings: SvmSettings, warmStart?: LinearModel): LinearModel {
  const { width, rows, labels } = data;
  const random = new Generator(settings.seed);
  const w = (warmStart ? tensor(warmStart.weights, [width, 1]) : zeros([width, 1])).requiresGrad_().keep();
  const b = tensor([warmStart?.bias ?? 0]).requiresGrad_().keep();
  const stepsPerEpoch = Math.ceil(rows.length / settings.batchSize);
  const optimizer = new Adam([w, b], { learningRate: new CosineDecay({ initialLearningRate: settings.learningRate, decaySteps: settings.epochs * stepsPerEpoch }) });
  const x = new Float32Array(settings.batchSize * width);
  const y = new Float32Array(settings.batchSize);
  for (let epoch = 0; epoch < settings.epochs; epoch++) {
    const order = random.shuffle(Array.from({ length: rows.length }, (_, i) => i));
    for (let start = 0; start < order.length; start += settings.batchSize) {
      const batch = order.slice(start, start + settings.batchSize);
      batch.forEach((row, i) => {
        x.set(rows[row]!, i * width);
        y[i] = labels[row]!;
      });
      scope(() => {
        const loss = objective(tensor(x.subarray(0, batch.length * width), [batch.length, width]), tensor(y.subarray(0, batch.length)), w, b, settings.lambda);
        optimizer.zeroGrad();
        loss.backward();
        optimizer.step();
      });
    }
  }
  const model = { weights: Float32Array.from(w.dataSync()), bias: b.item() };
  w.dispose();
  b.dispose();
  return model;
}

/** x·w + b. */
export function linearScore(model: LinearModel, features: Float32Array): number {
  let s = model.bias;
  for (let i = 0; i < features.length; i++) s += model.weights[i]! * features[i]!;
  return s;
}
