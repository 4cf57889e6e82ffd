/**
 * The list of user-facing ops. Each op file registers its functions here with whether a gradient
 * flows through them; the gradient-check suite fails when a differentiable op has no check.
 */
export type OpKind = 'differentiable' | 'nondifferentiable';

const ops = new Map<string, OpKind>();

/** Registers `fn` under `name` and returns it unchanged (no wrapper, no dispatch cost). */
export function defineOp<F extends (...args: never[]) => unknown>(name: string, kind: OpKind, fn: F): F {
  if (ops.has(name)) throw new Error(`defineOp: op '${name}' is defined twice`);
  ops.set(name, kind);
  return fn;
}

/** Every registered op with its kind, for coverage checks and docs. */
export function registeredOps(): ReadonlyMap<string, OpKind> {
  return ops;
}
