/** `tensile train mnist`: the MNIST CNN of bench/WORKLOADS.md on the 60,000 training digits, scored on the 10,000 test digits. */
import { mnist, saveModel } from 'tensile/node';
import { type ActivationName, Adam, type Callback, CosineDecay, labeledImageTensors, manualSeed, SparseCategoricalCrossentropy } from 'tensile';
import { mnistCnn } from './model.js';

export interface TrainMnistOptions {
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly activation?: ActivationName;
  /** Initial Adam learning rate; it decays to 1% by a cosine over the whole run. */
  readonly learningRate?: number;
  readonly seed?: number;
  /** Use only the first N training / test digits (tests and smoke runs). */
  readonly trainLimit?: number;
  readonly testLimit?: number;
  /** Save the trained model (architecture + weights + optimizer state) to this directory. */
  readonly out?: string;
  /** 0 silent, 1 progress bar, 2 a line per epoch. */
  readonly verbose?: 0 | 1 | 2;
  /** More fit callbacks (e.g. the training dashboard). */
  readonly callbacks?: readonly Callback[];
}

export interface TrainMnistResult {
  readonly activation: ActivationName;
  readonly epochs: number;
  readonly batchSize: number;
  readonly trainSamples: number;
  readonly testSamples: number;
  readonly testAccuracy: number;
  readonly testLoss: number;
  /** Wall time of fit() alone, and of the whole run including loading and evaluation. */
  readonly trainSeconds: number;
  readonly totalSeconds: number;
  readonly history: Record<string, number[]>;
  readonly modelPath: string | null;
}

export async function trainMnist(options: TrainMnistOptions = {}): Promise<TrainMnistResult> {
  const started = performance.now();
  const activation = options.activation ?? 'relu';
  const epochs = options.epochs ?? 2;
  const batchSize = options.batchSize ?? 64;
  manualSeed(options.seed ?? 0);
  const { train, test } = await mnist();
  const trainSet = labeledImageTensors(train, 0, Math.min(options.trainLimit ?? train.labels.length, train.labels.length));
  const testSet = labeledImageTensors(test, 0, Math.min(options.testLimit ?? test.labels.length, test.labels.length));
  const model = mnistCnn(activation);
  const steps = epochs * Math.ceil(trainSet.y.shape[0]! / batchSize);
  model.compile({
    optimizer: new Adam({ learningRate: new CosineDecay({ initialLearningRate: options.learningRate ?? 3e-3, decaySteps: steps, alpha: 0.01 }) }),
    loss: new SparseCategoricalCrossentropy({ fromLogits: true }),
    metrics: ['accuracy'],
  });
  const fitStart = performance.now();
  const history = await model.fit(trainSet.x, trainSet.y, { epochs, batchSize, verbose: options.verbose ?? 1, callbacks: options.callbacks ?? [] });
  const trainSeconds = (performance.now() - fitStart) / 1000;
  const scores = await model.evaluate(testSet.x, testSet.y, { batchSize: 500 });
  if (options.out) await saveModel(model, options.out);
  return {
    activation,
    epochs,
    batchSize,
    trainSamples: trainSet.y.shape[0]!,
    testSamples: testSet.y.shape[0]!,
    testAccuracy: scores['accuracy']!,
    testLoss: scores['loss']!,
    trainSeconds,
    totalSeconds: (performance.now() - started) / 1000,
    history: history.history,
    modelPath: options.out ?? null,
  };
}
