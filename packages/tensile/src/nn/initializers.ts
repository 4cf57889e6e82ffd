/**
 * Weight initialisers, by name or as `{name, ...options}` (JSON, so they sit in layer configs).
 * Fans follow Keras: for a kernel [..., in, out], fanIn = in·receptive field, fanOut = out·receptive field.
 *
 * ```ts
 * new Dense({ units: 64, kernelInitializer: 'heNormal' });
 * new Dense({ units: 64, kernelInitializer: { name: 'truncatedNormal', stddev: 0.02, seed: 1 } });
 * ```
 */
import { ValueError } from '../errors.js';
import { full, rand, randn, tensor, truncatedNormal } from '../ops/creation.js';
import { Generator, globalGenerator } from '../tensor/random.js';
import { sizeOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';

export type InitializerName =
  | 'zeros' | 'ones' | 'constant' | 'randomUniform' | 'randomNormal' | 'truncatedNormal'
  | 'glorotUniform' | 'glorotNormal' | 'heUniform' | 'heNormal' | 'lecunUniform' | 'lecunNormal' | 'orthogonal';

export interface InitializerOptions {
  readonly name: InitializerName;
  /** constant: the value. */
  readonly value?: number;
  /** randomUniform: the range (default [-0.05, 0.05]). */
  readonly minval?: number;
  readonly maxval?: number;
  /** randomNormal / truncatedNormal: mean and standard deviation (default 0, 0.05). */
  readonly mean?: number;
  readonly stddev?: number;
  /** orthogonal: the multiplicative gain (default 1). */
  readonly gain?: number;
  /** An independent random stream; the global generator (`manualSeed`) when omitted. */
  readonly seed?: number;
}

export type InitializerSpec = InitializerName | InitializerOptions;

export const INITIALIZERS: readonly InitializerName[] = [
  'zeros', 'ones', 'constant', 'randomUniform', 'randomNormal', 'truncatedNormal',
  'glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'lecunUniform', 'lecunNormal', 'orthogonal',
];

export function computeFans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0]!, fanOut: shape[0]! };
  const receptive = sizeOf(shape.slice(0, -2));
  return { fanIn: shape[shape.length - 2]! * receptive, fanOut: shape[shape.length - 1]! * receptive };
}

/** Variance scaling (Glorot/He/LeCun): scale / fan, drawn uniform or truncated normal as in Keras. */
function varianceScaling(shape: readonly number[], scale: number, fan: number, distribution: 'uniform' | 'normal', generator: Generator): Tensor {
  const variance = scale / Math.max(1, fan);
  if (distribution === 'uniform') {
    const limit = Math.sqrt(3 * variance);
    return rand(shape, { low: -limit, high: limit, generator });
  }
  // 0.879… is the standard deviation of a unit normal truncated to ±2.
  return truncatedNormal(shape, { std: Math.sqrt(variance) / 0.8796256610342398, generator });
}

/** A random orthogonal matrix (rows = all but the last axis), by Gram–Schmidt on a normal draw. */
function orthogonal(shape: readonly number[], gain: number, generator: Generator): Tensor {
  if (shape.length < 2) throw new ValueError(`orthogonal initializer: needs a shape of rank ≥ 2, got [${shape.join(', ')}]`);
  const cols = shape[shape.length - 1]!;
  const rows = sizeOf(shape) / cols;
  // Orthonormalise the shorter side's vectors, then lay them out as rows × cols.
  const [n, m] = rows < cols ? [rows, cols] : [cols, rows];
  const vectors: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const v = Float64Array.from({ length: m }, () => generator.normal());
    for (const u of vectors) {
      let d = 0;
      for (let k = 0; k < m; k++) d += v[k]! * u[k]!;
      for (let k = 0; k < m; k++) v[k]! -= d * u[k]!;
    }
    let norm = 0;
    for (let k = 0; k < m; k++) norm += v[k]! * v[k]!;
    norm = Math.sqrt(norm) || 1;
    for (let k = 0; k < m; k++) v[k]! /= norm;
    vectors.push(v);
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[r * cols + c] = gain * (rows < cols ? vectors[r]![c]! : vectors[c]![r]!);
  }
  return tensor(out, shape);
}

/** A float32 tensor of `shape` drawn by the initialiser `spec`. */
export function initialize(spec: InitializerSpec, shape: readonly number[]): Tensor {
  const options: InitializerOptions = typeof spec === 'string' ? { name: spec } : spec;
  const generator = options.seed === undefined ? globalGenerator : new Generator(options.seed);
  const { fanIn, fanOut } = computeFans(shape);
  switch (options.name) {
    case 'zeros':
      return full(shape, 0);
    case 'ones':
      return full(shape, 1);
    case 'constant':
      return full(shape, options.value ?? 0);
    case 'randomUniform':
      return rand(shape, { low: options.minval ?? -0.05, high: options.maxval ?? 0.05, generator });
    case 'randomNormal':
      return randn(shape, { mean: options.mean ?? 0, std: options.stddev ?? 0.05, generator });
    case 'truncatedNormal':
      return truncatedNormal(shape, { mean: options.mean ?? 0, std: options.stddev ?? 0.05, generator });
    case 'glorotUniform':
      return varianceScaling(shape, 2, fanIn + fanOut, 'uniform', generator);
    case 'glorotNormal':
      return varianceScaling(shape, 2, fanIn + fanOut, 'normal', generator);
    case 'heUniform':
      return varianceScaling(shape, 2, fanIn, 'uniform', generator);
    case 'heNormal':
      return varianceScaling(shape, 2, fanIn, 'normal', generator);
    case 'lecunUniform':
      return varianceScaling(shape, 1, fanIn, 'uniform', generator);
    case 'lecunNormal':
      return varianceScaling(shape, 1, fanIn, 'normal', generator);
    case 'orthogonal':
      return orthogonal(shape, options.gain ?? 1, generator);
    default:
      throw new ValueError(`unknown initializer '${String((options as { name: unknown }).name)}' (known: ${INITIALIZERS.join(', ')})`);
  }
}
