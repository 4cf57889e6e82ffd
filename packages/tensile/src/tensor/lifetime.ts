/** The user-facing side of the memory model: `scope()` and `memory()`. */
import { activeBackends } from '../backend/registry.js';
import type { MemoryInfo } from './storage.js';
import { enterScope, exitScope, memoryOf } from './storage.js';
import { Tensor } from './tensor.js';

/** Collects the tensors inside a returned value (a tensor, or arrays/objects of them). */
function tensorsIn(value: unknown, into: Set<Tensor>): Set<Tensor> {
  if (value instanceof Tensor) into.add(value);
  else if (Array.isArray(value)) for (const v of value) tensorsIn(v, into);
  else if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) tensorsIn(v, into);
  }
  return into;
}

/**
 * Runs `fn` and disposes every tensor it created except those it returns (or marked with `keep()`).
 * Optional: unreferenced tensors are freed by the garbage collector anyway; a scope frees them sooner.
 */
export function scope<T>(fn: () => T): T {
  enterScope();
  let result: T | undefined;
  try {
    result = fn();
    return result;
  } finally {
    exitScope(tensorsIn(result, new Set()));
  }
}

/** Live tensors and bytes, overall and per backend. */
export function memory(): MemoryInfo {
  return memoryOf(activeBackends());
}
