/** Option parsers and the settings every command shares (data root, backend, threads). */
import { type Command, InvalidArgumentError } from 'commander';
import { setFlagsFromString } from 'node:v8';
import { type ActivationName, ACTIVATIONS, ready } from 'tensile';
import { setDataRoot } from 'tensile/node';
import { chooseBackend } from './backend.js';

export interface CommonOptions {
  readonly dataRoot?: string;
  readonly backend?: string;
  readonly threads?: number;
  /** False with --no-relaxed-simd. */
  readonly relaxedSimd?: boolean;
  readonly json?: boolean;
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`expected a positive integer, got '${value}'`);
  return n;
}

/** 0 (off) or a positive integer. */
export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected 0 or a positive integer, got '${value}'`);
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`expected a positive number, got '${value}'`);
  return n;
}

/** A rate or strength that may be off: 0 (none) up to, not including, 1 (dropout, augmentation strengths). */
export function rateBelowOne(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n < 1)) throw new InvalidArgumentError(`expected a rate in [0, 1), got '${value}'`);
  return n;
}

export function intList(value: string): number[] {
  return value.split(',').map((part) => positiveInt(part.trim()));
}

export function activationName(value: string): ActivationName {
  if (!(ACTIVATIONS as readonly string[]).includes(value)) throw new InvalidArgumentError(`unknown activation '${value}' (known: ${ACTIVATIONS.join(', ')})`);
  return value as ActivationName;
}

export function activationList(value: string): ActivationName[] {
  return value.split(',').map((part) => activationName(part.trim()));
}

/**
 * Applies the shared settings before any tensor exists (the backend reads its thread count at
 * start), then waits for the backend's threads, so a seeded command gives the same bits each run.
 */
export async function applyCommonOptions(options: CommonOptions): Promise<void> {
  if (options.threads !== undefined) process.env['TENSILE_THREADS'] = String(options.threads);
  if (options.relaxedSimd !== false) enableRelaxedSimd();
  if (options.dataRoot !== undefined) setDataRoot(options.dataRoot);
  if (options.backend !== undefined) await chooseBackend(options.backend);
  await ready();
}

/**
 * Commands run the relaxed-SIMD kernels (fused multiply-add: ~1.3× faster GEMMs, last bits may
 * differ between CPUs). Node 20 gates the feature behind a V8 flag, which takes effect for modules
 * compiled after it is set; the backend compiles its kernels on first use, after this. An explicit
 * TENSILE_WASM_RELAXED (0 or 1) wins.
 */
function enableRelaxedSimd(): void {
  if (process.env['TENSILE_WASM_RELAXED'] !== undefined) return;
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  process.env['TENSILE_WASM_RELAXED'] = '1';
}

/** A command's options merged with the global ones, applied (backend, threads, data root) before it runs. */
export async function withGlobals<T extends CommonOptions>(options: T, command: Command): Promise<T> {
  const all = { ...command.optsWithGlobals<CommonOptions>(), ...options };
  await applyCommonOptions(all);
  return all;
}

/** Writes a command's result: JSON on stdout with --json, else the human text. */
export function emit(options: CommonOptions, result: unknown, text: string): void {
  process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : `${text}\n`);
}
