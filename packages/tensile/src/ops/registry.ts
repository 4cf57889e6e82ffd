/**
 * The list of user-facing ops. Each op file registers its functions here with whether a gradient
 * flows through them; the gradient-check suite fails when a differentiable op has no check.
 */
import { type CallSpec, checkCall } from '../options.js';

export type OpKind = 'differentiable' | 'nondifferentiable';

const ops = new Map<string, OpKind>();

/**
 * Registers `fn` under `name`. Without `call` it is returned unchanged (no wrapper, no dispatch
 * cost); with it, every call first refuses extra arguments and unknown option keys (`checkCall`).
 */
export function defineOp<F extends (...args: never[]) => unknown>(name: string, kind: OpKind, fn: F, call?: CallSpec): F {
  if (ops.has(name)) throw new Error(`defineOp: op '${name}' is defined twice`);
  ops.set(name, kind);
  if (call === undefined) return fn;
  const checked = (...args: never[]): unknown => {
    checkCall(name, args, call);
    return fn(...args);
  };
  return checked as F;
}

/** Every registered op with its kind, for coverage checks and docs. */
export function registeredOps(): ReadonlyMap<string, OpKind> {
  return ops;
}
