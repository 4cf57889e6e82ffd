/**
 * The tiny app the bundle test builds with esbuild and runs in Chromium: creates tensors, trains a
 * small classifier for a few epochs and publishes the losses (and the threads it got) on `window`.
 */
import { Adam, Dense, manualSeed, ready, Sequential, tensor } from 'tensile';

export interface TrainAppResult {
  readonly backend: string;
  readonly losses: readonly number[];
  readonly error?: string;
}

async function train(): Promise<TrainAppResult> {
  const backend = await ready();
  manualSeed(7);
  // Two interleaved classes: label 1 when x0 · x1 > 0 (not linearly separable, so the hidden layer matters).
  const rows = 256;
  const features: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < rows; i++) {
    const a = Math.sin(i * 12.9898) * 2;
    const b = Math.cos(i * 78.233) * 2;
    features.push([a, b]);
    labels.push(a * b > 0 ? 1 : 0);
  }
  const x = tensor(features);
  const y = tensor(Int32Array.from(labels));
  const model = new Sequential([new Dense({ units: 16, activation: 'relu' }), new Dense({ units: 2, activation: 'softmax' })], { inputShape: [2] });
  model.compile({ optimizer: new Adam({ learningRate: 0.03 }), loss: 'sparseCategoricalCrossentropy' });
  const history = await model.fit(x, y, { epochs: 8, batchSize: 32, verbose: 0 });
  return { backend: backend.name, losses: history.history.loss ?? [] };
}

const page = globalThis as unknown as { trainAppResult?: TrainAppResult };
train().then(
  (result) => (page.trainAppResult = result),
  (error: unknown) => (page.trainAppResult = { backend: '', losses: [], error: String(error instanceof Error ? error.stack : error) }),
);
