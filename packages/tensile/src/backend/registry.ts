import { BackendError } from '../errors.js';
import type { Backend, Int8Kernels } from './contract.js';
import { tracedBackend } from './trace-hook.js';

interface Registration {
  readonly factory: () => Backend;
  readonly priority: number;
  instance?: Backend;
}

const registrations = new Map<string, Registration>();
let current: Backend | undefined;

/**
 * Makes a backend available by name. The registered backend with the highest priority that
 * initialises becomes the default until `setBackend` picks another.
 */
export function registerBackend(name: string, factory: () => Backend, priority = 0): void {
  if (registrations.has(name)) throw new BackendError(`registerBackend: a backend named '${name}' is already registered`);
  registrations.set(name, { factory, priority });
}

export function backendNames(): string[] {
  return [...registrations.keys()];
}

function instanceOf(name: string): Backend {
  const reg = registrations.get(name);
  if (!reg) throw new BackendError(`unknown backend '${name}' (registered: ${backendNames().join(', ') || 'none'})`);
  reg.instance ??= reg.factory();
  return reg.instance;
}

/** The backend instance registered under `name`, initialised on first use. */
export function findBackend(name: string): Backend {
  return tracedBackend(instanceOf(name));
}

/** Switches the default backend for newly created tensors. */
export function setBackend(name: string): Backend {
  current = instanceOf(name);
  return current;
}

/** The default backend: the one set, else the highest-priority one that initialises. */
export function getBackend(): Backend {
  if (current) return tracedBackend(current);
  const byPriority = [...registrations.entries()].sort((a, b) => b[1].priority - a[1].priority);
  const failures: string[] = [];
  for (const [name] of byPriority) {
    try {
      current = instanceOf(name);
      return tracedBackend(current);
    } catch (e) {
      failures.push(`${name}: ${(e as Error).message}`);
    }
  }
  throw new BackendError(`no backend could be initialised${failures.length ? ` (${failures.join('; ')})` : ''}`);
}

/**
 * The default backend once it is fully started (its worker threads running). Await it before a
 * seeded computation: ops that run while threads are still starting split their sums differently.
 */
export async function ready(): Promise<Backend> {
  const backend = getBackend();
  await backend.whenReady?.();
  return backend;
}

/** Initialised backends, for memory reports. */
export function activeBackends(): Backend[] {
  return [...registrations.values()].flatMap((r) => (r.instance ? [r.instance] : []));
}

const int8Registrations = new Map<string, () => Int8Kernels>();

/**
 * Makes int8 inference kernels available for the backend named `name`. They are registered apart
 * from its float kernels, so that int8 inference alone (`tensile/int8`) never starts a float backend.
 */
export function registerInt8Kernels(name: string, factory: () => Int8Kernels): void {
  if (int8Registrations.has(name)) throw new BackendError(`registerInt8Kernels: int8 kernels for '${name}' are already registered`);
  int8Registrations.set(name, factory);
}

/**
 * A fresh instance of the int8 kernels of the active backend: the one set or already running, else
 * the first backend that registered int8 kernels.
 */
export function createInt8Kernels(): Int8Kernels {
  const active = [...registrations].find(([, r]) => current !== undefined && r.instance === current)?.[0];
  const name = active ?? int8Registrations.keys().next().value;
  const factory = name === undefined ? undefined : int8Registrations.get(name);
  if (!factory) {
    const available = [...int8Registrations.keys()];
    throw new BackendError(
      `int8: the active backend '${name ?? 'none'}' has no int8 kernels` +
        (available.length ? ` (backends with int8 kernels: ${available.join(', ')}; setBackend('${available[0]}') first)` : ' (no backend with int8 kernels is registered)'),
    );
  }
  return factory();
}
