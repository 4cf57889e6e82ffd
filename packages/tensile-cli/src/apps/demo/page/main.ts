/**
 * The in-browser demo page (bundled by `tensile demo` with esbuild, never run by Node): loads the
 * digit sprite, trains the MNIST CNN of bench/WORKLOADS.md in the page, draws live loss and accuracy
 * curves, a confusion matrix and sample predictions after each epoch, and classifies digits drawn on
 * a canvas. `?epochs=N&autostart=1` starts training on load (the browser test uses it); progress is
 * published on `window.demoState`.
 */
import { Adam, Callback, getBackend, noGrad, ready, scope, SparseCategoricalCrossentropy, tensor, type Logs, type Tensor } from 'tensile';
import { context2d, drawChart } from '../../charts/line-chart.js';
import { mnistCnn } from '../../mnist/model.js';
import { DEMO_BATCH_SIZE, DEMO_LEARNING_RATE, DIGIT_SIZE, type DigitSpriteIndex } from '../digits.js';
import { StepTimer } from '../step-timer.js';

export interface DemoState {
  threads: number;
  epochs: number;
  trainAccuracy: number;
  testAccuracy: number;
  stepMs: number;
  steps: number;
  training: boolean;
  drawnDigit: number | null;
  error: string | null;
}

const state: DemoState = { threads: 0, epochs: 0, trainAccuracy: NaN, testAccuracy: NaN, stepMs: NaN, steps: 0, training: false, drawnDigit: null, error: null };
(globalThis as unknown as { demoState: DemoState }).demoState = state;

const PIXELS = DIGIT_SIZE * DIGIT_SIZE;

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`demo page: no element #${id}`);
  return found as T;
}

interface Digits {
  readonly pixels: Float32Array;
  readonly labels: Int32Array;
  readonly count: number;
}

/** Decodes the sprite into [0, 1] pixels, tile by tile. */
async function loadDigits(): Promise<{ train: Digits; test: Digits }> {
  const index = (await (await fetch('digits.json')).json()) as DigitSpriteIndex;
  const bitmap = await createImageBitmap(await (await fetch('digits.png')).blob());
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const ctx = context2d(canvas);
  ctx.drawImage(bitmap, 0, 0);
  const rgba = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
  const split = (first: number, count: number): Digits => {
    const pixels = new Float32Array(count * PIXELS);
    for (let i = 0; i < count; i++) {
      const tile = first + i;
      const left = (tile % index.columns) * DIGIT_SIZE;
      const top = Math.floor(tile / index.columns) * DIGIT_SIZE;
      for (let y = 0; y < DIGIT_SIZE; y++) {
        for (let x = 0; x < DIGIT_SIZE; x++) pixels[i * PIXELS + y * DIGIT_SIZE + x] = rgba[4 * ((top + y) * bitmap.width + left + x)]! / 255;
      }
    }
    return { pixels, labels: Int32Array.from(index.labels.slice(first, first + count)), count };
  };
  return { train: split(0, index.trainCount), test: split(index.trainCount, index.testCount) };
}

/** Class scores of `count` digits starting at `first`, in batches. */
function predict(model: ReturnType<typeof mnistCnn>, digits: Digits, first = 0, count = digits.count): Float32Array {
  const out = new Float32Array(count * 10);
  for (let start = 0; start < count; start += 250) {
    const n = Math.min(250, count - start);
    scope(() =>
      noGrad(() => {
        const x = tensor(digits.pixels.subarray((first + start) * PIXELS, (first + start + n) * PIXELS), [n, DIGIT_SIZE, DIGIT_SIZE, 1]);
        out.set((model.predict(x) as Tensor).dataSync(), start * 10);
      }),
    );
  }
  return out;
}

const argmax = (scores: Float32Array, row: number): number => {
  let best = 0;
  for (let c = 1; c < 10; c++) if (scores[row * 10 + c]! > scores[row * 10 + best]!) best = c;
  return best;
};

function showConfusion(scores: Float32Array, labels: Int32Array): number {
  const matrix = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
  let correct = 0;
  labels.forEach((label, i) => {
    const guess = argmax(scores, i);
    matrix[label]![guess]!++;
    if (guess === label) correct++;
  });
  const max = Math.max(...matrix.flat());
  const rows = matrix.map((row, actual) =>
    `<tr><th>${actual}</th>${row.map((n, guess) => `<td style="background:rgba(${guess === actual ? '30,120,200' : '220,60,40'},${n ? 0.15 + (0.85 * n) / max : 0})">${n || ''}</td>`).join('')}</tr>`,
  );
  element('confusion').innerHTML = `<tr><th></th>${[...Array(10).keys()].map((d) => `<th>${d}</th>`).join('')}</tr>${rows.join('')}`;
  return correct / labels.length;
}

function showSamples(scores: Float32Array, test: Digits): void {
  const holder = element('samples');
  holder.replaceChildren();
  for (let i = 0; i < Math.min(24, test.count); i++) {
    const figure = document.createElement('figure');
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = DIGIT_SIZE;
    const image = new ImageData(DIGIT_SIZE, DIGIT_SIZE);
    for (let p = 0; p < PIXELS; p++) {
      image.data.fill(Math.round(255 * test.pixels[i * PIXELS + p]!), 4 * p, 4 * p + 3);
      image.data[4 * p + 3] = 255;
    }
    context2d(canvas).putImageData(image, 0, 0);
    const guess = argmax(scores, i);
    const caption = document.createElement('figcaption');
    caption.textContent = String(guess);
    caption.className = guess === test.labels[i] ? 'right' : 'wrong';
    figure.append(canvas, caption);
    holder.append(figure);
  }
}

/** Live curves: loss per step, running training accuracy per step, test accuracy per epoch. */
class LiveCharts extends Callback {
  readonly losses: number[] = [];
  readonly accuracies: number[] = [];
  readonly testAccuracies: number[] = [];
  /** The step after which each test accuracy was measured. */
  readonly testSteps: number[] = [];

  override onBatchEnd(_batch: number, logs: Logs): void {
    this.losses.push(logs['loss']!);
    this.accuracies.push(logs['accuracy']!);
    this.draw();
  }

  draw(): void {
    drawChart(element('loss-chart'), [{ values: this.losses, color: '#c0392b', label: 'training loss' }]);
    drawChart(element('accuracy-chart'), [
      { values: this.accuracies, color: '#2471a3', label: 'training accuracy' },
      { values: this.testAccuracies, at: this.testSteps, color: '#1e8449', label: 'test accuracy (per epoch)' },
    ], 1);
  }
}

/** The drawing pad: white strokes on black, cropped to the ink's box, scaled into 20×20 and centred in 28×28 as MNIST's digits are. */
function padPixels(pad: HTMLCanvasElement): Float32Array | null {
  const { width, height } = pad;
  const ink = context2d(pad).getImageData(0, 0, width, height).data;
  let [left, top, right, bottom] = [width, height, -1, -1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[4 * (y * width + x)]! > 40) [left, top, right, bottom] = [Math.min(left, x), Math.min(top, y), Math.max(right, x), Math.max(bottom, y)];
    }
  }
  if (right < 0) return null;
  const side = Math.max(right - left, bottom - top) + 1;
  const small = document.createElement('canvas');
  small.width = small.height = DIGIT_SIZE;
  const ctx = context2d(small);
  ctx.fillStyle = 'black';
  ctx.fillRect(0, 0, DIGIT_SIZE, DIGIT_SIZE);
  const scale = 20 / side;
  ctx.drawImage(pad, left, top, right - left + 1, bottom - top + 1, 4 + (side - (right - left + 1)) * scale / 2, 4 + (side - (bottom - top + 1)) * scale / 2, (right - left + 1) * scale, (bottom - top + 1) * scale);
  const rgba = ctx.getImageData(0, 0, DIGIT_SIZE, DIGIT_SIZE).data;
  return Float32Array.from({ length: PIXELS }, (_, p) => rgba[4 * p]! / 255);
}

function setUpPad(classify: (pixels: Float32Array) => void): void {
  const pad = element<HTMLCanvasElement>('pad');
  const ctx = context2d(pad);
  const clear = (): void => {
    ctx.fillStyle = 'black';
    ctx.fillRect(0, 0, pad.width, pad.height);
    element('drawn-prediction').textContent = 'Draw a digit, then Classify.';
  };
  clear();
  let last: [number, number] | null = null;
  pad.addEventListener('pointerdown', (event) => (last = [event.offsetX, event.offsetY]));
  pad.addEventListener('pointerup', () => (last = null));
  pad.addEventListener('pointerleave', () => (last = null));
  pad.addEventListener('pointermove', (event) => {
    if (!last) return;
    ctx.strokeStyle = 'white';
    ctx.lineWidth = 22;
    ctx.lineCap = 'round';
    ctx.beginPath();
    ctx.moveTo(...last);
    ctx.lineTo(event.offsetX, event.offsetY);
    ctx.stroke();
    last = [event.offsetX, event.offsetY];
  });
  element('clear').addEventListener('click', clear);
  element('classify').addEventListener('click', () => {
    const pixels = padPixels(pad);
    if (pixels) classify(pixels);
  });
}

async function main(): Promise<void> {
  const status = element('status');
  status.textContent = 'Loading the WebAssembly kernels and the digits…';
  await ready();
  state.threads = getBackend().memory()['threads'] ?? 1;
  element('threads').textContent = `${state.threads} thread${state.threads === 1 ? '' : 's'}${crossOriginIsolated ? ' (cross-origin isolated: Web Workers)' : ' (page not cross-origin isolated)'}`;
  const { train, test } = await loadDigits();
  status.textContent = `${train.count} training digits and ${test.count} test digits loaded. Press Train.`;
  const model = mnistCnn('relu');
  const charts = new LiveCharts();
  charts.draw();
  const x = tensor(train.pixels, [train.count, DIGIT_SIZE, DIGIT_SIZE, 1]).keep();
  const y = tensor(train.labels).keep();
  const params = new URLSearchParams(location.search);
  const epochsInput = element<HTMLInputElement>('epochs');
  epochsInput.value = params.get('epochs') ?? epochsInput.value;
  const trainButton = element<HTMLButtonElement>('train');

  const trainEpochs = async (): Promise<void> => {
    const epochs = Math.max(1, Math.floor(Number(epochsInput.value)) || 1);
    state.training = true;
    trainButton.disabled = true;
    const timer = new StepTimer();
    if (state.epochs === 0) {
      model.compile({ optimizer: new Adam({ learningRate: DEMO_LEARNING_RATE }), loss: new SparseCategoricalCrossentropy({ fromLogits: true }), metrics: ['accuracy'] });
    }
    for (let e = 0; e < epochs; e++) {
      status.textContent = `Training epoch ${state.epochs + 1}…`;
      const history = await model.fit(x, y, { epochs: 1, batchSize: DEMO_BATCH_SIZE, shuffle: true, verbose: 0, callbacks: [timer, charts] });
      state.epochs++;
      state.trainAccuracy = history.history['accuracy']!.at(-1)!;
      const scores = predict(model, test);
      state.testAccuracy = showConfusion(scores, test.labels);
      showSamples(scores, test);
      charts.testAccuracies.push(state.testAccuracy);
      charts.testSteps.push(charts.losses.length - 1);
      charts.draw();
      state.stepMs = timer.meanMs;
      state.steps = timer.steps;
      element('step-time').textContent = `${state.stepMs.toFixed(1)} ms per training step (batch ${DEMO_BATCH_SIZE})`;
      status.textContent = `Epoch ${state.epochs}: training accuracy ${(100 * state.trainAccuracy).toFixed(1)}%, test accuracy ${(100 * state.testAccuracy).toFixed(1)}% on ${test.count} digits.`;
    }
    state.training = false;
    trainButton.disabled = false;
  };
  trainButton.addEventListener('click', () => void trainEpochs().catch(report));
  trainButton.disabled = false;
  setUpPad((pixels) => {
    const scores = predict(model, { pixels, labels: new Int32Array(1), count: 1 });
    const exp = Array.from(scores, Math.exp);
    const total = exp.reduce((a, b) => a + b, 0);
    state.drawnDigit = argmax(scores, 0);
    element('drawn-prediction').textContent = `It looks like a ${state.drawnDigit} (${((100 * exp[state.drawnDigit]!) / total).toFixed(0)}%).`;
  });
  if (params.get('autostart') === '1') await trainEpochs();
}

function report(error: unknown): void {
  state.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
  element('status').textContent = `Error: ${state.error}`;
  console.error(error);
}

main().catch(report);
