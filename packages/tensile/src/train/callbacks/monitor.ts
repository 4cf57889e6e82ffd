/** Which way a monitored value improves, shared by EarlyStopping, ReduceLROnPlateau and ModelCheckpoint. */
import { ValueError } from '../../errors.js';
import type { Logs } from './callback.js';

export type MonitorMode = 'min' | 'max' | 'auto';

/** 'auto' means max for accuracy-like names and min otherwise (Keras' rule). */
export function resolveMode(monitor: string, mode: MonitorMode = 'auto'): 'min' | 'max' {
  if (mode !== 'auto') return mode;
  return /acc|auc|precision|recall|f1/.test(monitor) ? 'max' : 'min';
}

export function isImprovement(value: number, best: number, mode: 'min' | 'max', minDelta = 0): boolean {
  return mode === 'min' ? value < best - minDelta : value > best + minDelta;
}

export function monitored(logs: Logs, monitor: string, who: string): number {
  const value = logs[monitor];
  if (value === undefined) throw new ValueError(`${who}: monitored value '${monitor}' is not in the logs (available: ${Object.keys(logs).join(', ')})`);
  return value;
}
