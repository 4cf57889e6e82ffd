/**
 * The training dashboard's page (loaded as compiled, unbundled ES modules): follows the run's event
 * stream and redraws loss, metrics, learning rate, step time and memory as points arrive. What it has
 * received is published on `window.dashboardState`.
 */
import { drawChart, type Series } from '../../charts/line-chart.js';
import type { DashboardEvent, EpochEvent, StepEvent } from '../events.js';

export interface DashboardState {
  /** The event stream is open. */
  connected: boolean;
  steps: number;
  epochs: number;
  ended: boolean;
}

const state: DashboardState = { connected: false, steps: 0, epochs: 0, ended: false };
(globalThis as unknown as { dashboardState: DashboardState }).dashboardState = state;

const steps: StepEvent[] = [];
const epochs: EpochEvent[] = [];
const COLORS = ['#c0392b', '#2471a3', '#1e8449', '#7d3c98', '#b9770e'];
const MB = 1 << 20;

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`dashboard page: no element #${id}`);
  return found as T;
}

/** Per-step series of a log key, and its per-epoch values (training and val_) as dots at the epoch's last step. */
function logSeries(key: string, color: number): Series[] {
  const series: Series[] = [{ values: steps.map((s) => s.logs[key] ?? NaN), color: COLORS[color % COLORS.length]!, label: `${key} (step)` }];
  const validation = epochs.filter((e) => e.logs[`val_${key}`] !== undefined);
  if (validation.length) {
    series.push({ values: validation.map((e) => e.logs[`val_${key}`]!), at: validation.map((e) => e.step), color: COLORS[(color + 2) % COLORS.length]!, label: `val_${key} (epoch)` });
  }
  return series;
}

function redraw(): void {
  const keys = Object.keys(steps.at(-1)?.logs ?? {});
  const metrics = keys.filter((k) => k !== 'loss');
  drawChart(element('loss-chart'), logSeries('loss', 0));
  drawChart(element('metrics-chart'), metrics.flatMap((k, i) => logSeries(k, i + 1)), metrics.some((k) => k.includes('accuracy')) ? 1 : undefined);
  drawChart(element('lr-chart'), [{ values: steps.map((s) => s.learningRate), color: COLORS[3]!, label: 'learning rate' }]);
  drawChart(element('time-chart'), [{ values: steps.map((s) => s.stepMs), color: COLORS[4]!, label: 'ms per step' }]);
  drawChart(element('memory-chart'), [
    { values: steps.map((s) => s.rssBytes / MB), color: COLORS[1]!, label: 'process RSS (MB)' },
    { values: steps.map((s) => s.tensorBytes / MB), color: COLORS[0]!, label: 'tensors (MB)' },
  ]);
  const last = steps.at(-1);
  if (last) {
    const logs = Object.entries(epochs.at(-1)?.logs ?? last.logs).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(' · ');
    element('summary').textContent = `epoch ${last.epoch + 1}, step ${last.step + 1}: ${logs}`;
  }
}

let pending = false;
function scheduleRedraw(): void {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    redraw();
  });
}

function receive(event: DashboardEvent): void {
  switch (event.type) {
    case 'begin':
      element('title').textContent = event.title;
      element('status').textContent = `training ${event.model}: ${event.epochs} epoch${event.epochs === 1 ? '' : 's'}${event.steps === null ? '' : ` of ${event.steps} steps`}`;
      break;
    case 'step':
      steps.push(event);
      state.steps = steps.length;
      break;
    case 'epoch':
      epochs.push(event);
      state.epochs = epochs.length;
      break;
    case 'end':
      state.ended = true;
      element('status').textContent = 'training finished';
      break;
  }
  scheduleRedraw();
}

const source = new EventSource('/events');
source.onmessage = (message: MessageEvent<string>) => receive(JSON.parse(message.data) as DashboardEvent);
source.onopen = () => (state.connected = true);
source.onerror = () => {
  if (state.ended) source.close();
  else element('status').textContent = 'waiting for the training process…';
};
