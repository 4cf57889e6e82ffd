/** Tensor creation: from values, constants, ranges and random draws. */
import type { Backend } from '../backend/contract.js';
import { findBackend, getBackend } from '../backend/registry.js';
import { traceRecorder } from '../backend/trace-hook.js';
import { ShapeError, ValueError } from '../errors.js';
import type { DType, TypedArray } from '../tensor/dtype.js';
import { allocArray, assertDType, dtypeOfArray } from '../tensor/dtype.js';
import type { NestedArray } from '../tensor/nested.js';
import { flattenNested } from '../tensor/nested.js';
import type { Generator } from '../tensor/random.js';
import { globalGenerator } from '../tensor/random.js';
import type { Shape } from '../tensor/shape.js';
import { checkShape, formatShape, sizeOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkBackendDType } from './dispatch.js';
import { fullOn, wrap } from '../tensor/wrap.js';
import { defineOp } from './registry.js';
import { type CallSpec, optionNames } from '../options.js';

export interface CreateOptions {
  dtype?: DType;
  /** Backend name; the default backend when omitted. */
  backend?: string;
}

export interface RandomOptions extends CreateOptions {
  generator?: Generator;
}

const CREATE_OPTIONS = optionNames<CreateOptions>()('dtype', 'backend');
const RANDOM_OPTIONS = optionNames<RandomOptions>()('dtype', 'backend', 'generator');
/** A creation op whose options object is argument `at` (0-based). */
function createCall(at: number, options: readonly string[] = CREATE_OPTIONS): CallSpec {
  return { maxArgs: at + 1, optionsAt: at, options };
}

function pickBackend(op: string, options: CreateOptions | undefined, dtype: DType): Backend {
  const backend = options?.backend === undefined ? getBackend() : findBackend(options.backend);
  checkBackendDType(op, backend, dtype);
  return backend;
}

function fromArray(op: string, values: TypedArray, shape: Shape, options?: CreateOptions): Tensor {
  const dtype = dtypeOfArray(values);
  const backend = pickBackend(op, options, dtype);
  return wrap(backend, backend.upload(values), shape, dtype);
}

function firstLeaf(values: NestedArray): number | boolean | undefined {
  let v: NestedArray | undefined = values;
  while (Array.isArray(v)) v = v[0];
  return v;
}

/**
 * A tensor from nested arrays, a flat array or a typed array (with `shape`).
 * @example tensor([[1, 2], [3, 4]]) // float32 [2,2]
 * @example tensor(new Int32Array([1, 2, 3]), [3])
 */
export const tensor = defineOp(
  'tensor',
  'nondifferentiable',
  (values: NestedArray | TypedArray, shape?: Shape, options: CreateOptions = {}): Tensor => {
    let flat: ArrayLike<number>;
    let inferred: number[];
    if (ArrayBuffer.isView(values)) {
      flat = values;
      inferred = [values.length];
    } else {
      const f = flattenNested(values, 'tensor');
      flat = f.flat;
      inferred = f.shape;
    }
    const finalShape = shape === undefined ? inferred : checkShape(shape, 'tensor');
    if (sizeOf(finalShape) !== flat.length) {
      throw new ShapeError(`tensor: ${flat.length} values do not fill shape ${formatShape(finalShape)} (${sizeOf(finalShape)} elements)`);
    }
    const dtype =
      options.dtype !== undefined
        ? assertDType(options.dtype, 'tensor')
        : ArrayBuffer.isView(values)
          ? dtypeOfArray(values)
          : typeof firstLeaf(values) === 'boolean'
            ? 'bool'
            : 'float32';
    const typed = allocArray(dtype, flat.length);
    if (dtype === 'int32' || dtype === 'bool') {
      for (let i = 0; i < flat.length; i++) {
        const v = flat[i]!;
        if (!Number.isFinite(v)) throw new ValueError(`tensor: value ${v} at index ${i} cannot be stored as ${dtype}`);
        typed[i] = dtype === 'bool' ? (v ? 1 : 0) : v;
      }
    } else typed.set(flat);
    return fromArray('tensor', typed, finalShape, options);
  },
  createCall(2),
);

/** A rank-0 tensor. */
export const scalar = defineOp('scalar', 'nondifferentiable', (value: number, options: CreateOptions = {}): Tensor =>
  tensor([value], [], options),
  createCall(1),
);

function filled(op: string, shape: Shape, value: number, options: CreateOptions): Tensor {
  const dtype = options.dtype ?? 'float32';
  return fullOn(pickBackend(op, options, dtype), checkShape(shape, op), value, dtype);
}

/** A tensor of `shape` filled with `value`. */
export const full = defineOp('full', 'nondifferentiable', (shape: Shape, value: number, options: CreateOptions = {}): Tensor =>
  filled('full', shape, value, options),
  createCall(2),
);
export const zeros = defineOp('zeros', 'nondifferentiable', (shape: Shape, options: CreateOptions = {}): Tensor => filled('zeros', shape, 0, options), createCall(1));
export const ones = defineOp('ones', 'nondifferentiable', (shape: Shape, options: CreateOptions = {}): Tensor => filled('ones', shape, 1, options), createCall(1));

function likeOptions(like: Tensor, options: CreateOptions): CreateOptions {
  return { dtype: options.dtype ?? like.dtype, backend: options.backend ?? like.backend.name };
}

export const fullLike = defineOp('fullLike', 'nondifferentiable', (like: Tensor, value: number, options: CreateOptions = {}): Tensor =>
  filled('fullLike', like.shape, value, likeOptions(like, options)),
  createCall(2),
);
export const zerosLike = defineOp('zerosLike', 'nondifferentiable', (like: Tensor, options: CreateOptions = {}): Tensor =>
  filled('zerosLike', like.shape, 0, likeOptions(like, options)),
  createCall(1),
);
export const onesLike = defineOp('onesLike', 'nondifferentiable', (like: Tensor, options: CreateOptions = {}): Tensor =>
  filled('onesLike', like.shape, 1, likeOptions(like, options)),
  createCall(1),
);

/**
 * Values from `start` (inclusive) to `end` (exclusive) in steps of `step`; one argument means [0, end).
 * int32 when all arguments are integers, else float32.
 */
export const arange = defineOp(
  'arange',
  'nondifferentiable',
  (start: number, end?: number, step = 1, options: CreateOptions = {}): Tensor => {
    if (end === undefined) [start, end] = [0, start];
    if (![start, end, step].every(Number.isFinite) || step === 0) {
      throw new ValueError(`arange: start, end and step must be finite and step non-zero, got (${start}, ${end}, ${step})`);
    }
    const n = Math.max(0, Math.ceil((end - start) / step));
    const dtype = options.dtype ?? ([start, end, step].every(Number.isInteger) ? 'int32' : 'float32');
    const values = allocArray(dtype, n);
    for (let i = 0; i < n; i++) values[i] = start + i * step;
    return fromArray('arange', values, [n], { ...options, dtype });
  },
  createCall(3),
);

/** `count` evenly spaced values from `start` to `end`, both included. */
export const linspace = defineOp(
  'linspace',
  'nondifferentiable',
  (start: number, end: number, count: number, options: CreateOptions = {}): Tensor => {
    if (!Number.isInteger(count) || count < 0) throw new ValueError(`linspace: count must be a non-negative integer, got ${count}`);
    const values = allocArray(options.dtype ?? 'float32', count);
    const step = count > 1 ? (end - start) / (count - 1) : 0;
    for (let i = 0; i < count; i++) values[i] = i === count - 1 ? end : start + i * step;
    return fromArray('linspace', values, [count], options);
  },
  createCall(3),
);

/** The identity matrix [n, m] (m defaults to n). */
export const eye = defineOp('eye', 'nondifferentiable', (n: number, m = n, options: CreateOptions = {}): Tensor => {
  const shape = checkShape([n, m], 'eye');
  const values = allocArray(options.dtype ?? 'float32', n * m);
  for (let i = 0; i < Math.min(n, m); i++) values[i * m + i] = 1;
  return fromArray('eye', values, shape, options);
}, createCall(2));

function randomTensor(op: string, shape: Shape, options: RandomOptions, draw: (g: Generator) => number): Tensor {
  const checked = checkShape(shape, op);
  const dtype = options.dtype ?? 'float32';
  const g = options.generator ?? globalGenerator;
  const make = (): TypedArray => {
    const values = allocArray(dtype, sizeOf(checked));
    for (let i = 0; i < values.length; i++) values[i] = draw(g);
    return values;
  };
  const values = make();
  // A compiled graph draws again on every call, from the same generator, as eager code would.
  traceRecorder()?.uploadMadeBy(make);
  return fromArray(op, values, checked, { ...options, dtype });
}

/** Uniform in [low, high) (default [0, 1)). */
export const rand = defineOp(
  'rand',
  'nondifferentiable',
  (shape: Shape, options: RandomOptions & { low?: number; high?: number } = {}): Tensor => {
    const low = options.low ?? 0;
    const span = (options.high ?? 1) - low;
    return randomTensor('rand', shape, options, (g) => low + span * g.random());
  },
  createCall(1, [...RANDOM_OPTIONS, 'low', 'high']),
);

/** Normal with the given mean and standard deviation (default 0, 1). */
export const randn = defineOp(
  'randn',
  'nondifferentiable',
  (shape: Shape, options: RandomOptions & { mean?: number; std?: number } = {}): Tensor => {
    const mean = options.mean ?? 0;
    const std = options.std ?? 1;
    return randomTensor('randn', shape, options, (g) => mean + std * g.normal());
  },
  createCall(1, [...RANDOM_OPTIONS, 'mean', 'std']),
);

/** Normal redrawn until within two standard deviations (Keras' truncated normal). */
export const truncatedNormal = defineOp(
  'truncatedNormal',
  'nondifferentiable',
  (shape: Shape, options: RandomOptions & { mean?: number; std?: number } = {}): Tensor => {
    const mean = options.mean ?? 0;
    const std = options.std ?? 1;
    return randomTensor('truncatedNormal', shape, options, (g) => {
      let z = g.normal();
      while (Math.abs(z) > 2) z = g.normal();
      return mean + std * z;
    });
  },
  createCall(1, [...RANDOM_OPTIONS, 'mean', 'std']),
);

/** Uniform integers in [low, high), int32. */
export const randint = defineOp(
  'randint',
  'nondifferentiable',
  (low: number, high: number, shape: Shape, options: RandomOptions = {}): Tensor => {
    if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
      throw new ValueError(`randint: need integers low < high, got [${low}, ${high})`);
    }
    return randomTensor('randint', shape, { ...options, dtype: options.dtype ?? 'int32' }, (g) => g.int(low, high));
  },
  createCall(3, RANDOM_OPTIONS),
);

/** A random permutation of 0..n-1, int32. */
export const randperm = defineOp('randperm', 'nondifferentiable', (n: number, options: RandomOptions = {}): Tensor => {
  const order = (options.generator ?? globalGenerator).shuffle(Array.from({ length: n }, (_, i) => i));
  return fromArray('randperm', Int32Array.from(order), [n], options);
}, createCall(1, RANDOM_OPTIONS));

export const randLike = defineOp('randLike', 'nondifferentiable', (like: Tensor, options: RandomOptions = {}): Tensor =>
  rand(like.shape, { ...likeOptions(like, options), generator: options.generator }),
  createCall(1, RANDOM_OPTIONS),
);
export const randnLike = defineOp('randnLike', 'nondifferentiable', (like: Tensor, options: RandomOptions = {}): Tensor =>
  randn(like.shape, { ...likeOptions(like, options), generator: options.generator }),
  createCall(1, RANDOM_OPTIONS),
);
