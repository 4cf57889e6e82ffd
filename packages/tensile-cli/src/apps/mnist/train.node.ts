/** `tensile train mnist`: the MNIST CNN of bench/WORKLOADS.md on the 60,000 training digits, scored on the 10,000 test digits. */
import { mnist, saveModel, writeFileAtomic } from 'tensile/node';
import { type ActivationName, Adam, type Callback, CosineDecay, jitGraphs, labeledImageTensors, manualSeed, type Sequential, SparseCategoricalCrossentropy, toMermaid } from 'tensile';
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
  /** Train with the compiled (jit) step (default true); false runs it eagerly, op by op. */
  readonly jit?: boolean;
  /** Write the compiled training step's graph, as traced and as optimised, to this markdown file (Mermaid pictures). */
  readonly graphFile?: string;
}

/** Tracing and optimising the first training step, when it was compiled. */
export interface CompiledStepTimes {
  readonly traceMs: number;
  readonly optimizeMs: number;
  readonly tracedNodes: number;
  readonly optimizedNodes: number;
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
  readonly jit: boolean;
  readonly compiledStep: CompiledStepTimes | null;
}

/** The training step's graph before and after the passes, as markdown with Mermaid pictures. */
function graphMarkdown(model: Sequential): string {
  const [step] = jitGraphs(model);
  if (!step) throw new Error('train mnist: --graph needs the compiled step (drop --no-jit)');
  const section = (title: string, graph: typeof step.traced): string =>
    `## ${title}: ${graph.nodes.length} kernel calls\n\n\`\`\`mermaid\n${toMermaid(graph)}\n\`\`\`\n`;
  return [
    `# The MNIST CNN training step, ${step.signature}\n`,
    `Traced in ${step.traceMs.toFixed(0)} ms (one eager step included), optimised in ${step.optimizeMs.toFixed(1)} ms. Fused nodes are yellow.\n`,
    section('As traced', step.traced),
    section('After dead-code elimination, constant folding, simplification, CSE, fusion, cropping of unread borders and in-place updates', step.optimized),
  ].join('\n');
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
  const jit = options.jit ?? true;
  model.compile({
    jit,
    optimizer: new Adam({ learningRate: new CosineDecay({ initialLearningRate: options.learningRate ?? 3e-3, decaySteps: steps, alpha: 0.01 }) }),
    loss: new SparseCategoricalCrossentropy({ fromLogits: true }),
    metrics: ['accuracy'],
  });
  const fitStart = performance.now();
  const history = await model.fit(trainSet.x, trainSet.y, { epochs, batchSize, verbose: options.verbose ?? 1, callbacks: options.callbacks ?? [] });
  const trainSeconds = (performance.now() - fitStart) / 1000;
  const scores = await model.evaluate(testSet.x, testSet.y, { batchSize: 500 });
  if (options.out) await saveModel(model, options.out);
  if (options.graphFile) await writeFileAtomic(options.graphFile, new TextEncoder().encode(graphMarkdown(model)));
  const [step] = jitGraphs(model);
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
    jit,
    compiledStep: step ? { traceMs: step.traceMs, optimizeMs: step.optimizeMs, tracedNodes: step.traced.nodes.length, optimizedNodes: step.optimized.nodes.length } : null,
  };
}
