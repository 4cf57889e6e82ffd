/**
 * Keras-style layers on top of Module: a layer knows its output shape symbolically
 * (`computeOutputShape`, Keras' compute_output_spec), creates its weights once it sees its input
 * shape (`build`), and is called either on tensors (`forward`) or on symbolic tensors (`apply`,
 * the functional API). Its constructor options are its config, so every layer serialises as
 * `{className, config}`.
 */
import { TensileError, ShapeError } from '../errors.js';
import type { DType } from '../tensor/dtype.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { LayerError } from './errors.js';
import { Module } from './module.js';
import { formatSymbolicShape, type SymbolicShape, SymbolicTensor, withUnknownBatch } from './symbolic.js';
import { checkOptions } from '../options.js';

/** JSON values, the currency of layer configs. */
export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json | undefined };

export interface LayerArgs {
  /** Unique within a model; generated from the class name when omitted (`dense`, `dense_1` …). */
  readonly name?: string;
  /** Input shape without the batch axis; lets a Sequential model build before seeing data. */
  readonly inputShape?: readonly number[];
}

/** The options of every layer, the start of each layer class's `argNames`. */
export const LAYER_ARGS = ['name', 'inputShape'] as const;

/** A layer class that lists the options its constructor accepts (checked on construction). */
interface WithArgNames {
  readonly argNames?: readonly string[];
}

export type LayerConfig = { readonly name: string } & { readonly [key: string]: Json | undefined };

const nameCounts = new Map<string, number>();

function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase();
}

/** `dense`, then `dense_1`, `dense_2` … (per process, like Keras). */
export function uniqueLayerName(className: string): string {
  const base = snakeCase(className);
  const n = nameCounts.get(base) ?? 0;
  nameCounts.set(base, n + 1);
  return n === 0 ? base : `${base}_${n}`;
}

type LayerInput = Tensor | readonly Tensor[];
type SymbolicOf<I extends LayerInput> = I extends Tensor ? SymbolicTensor : readonly SymbolicTensor[];
export type ShapeOf<I extends LayerInput> = I extends Tensor ? SymbolicShape : readonly SymbolicShape[];

/** What single-input and merge layers share; use `Layer` or `MergeLayer`. */
export abstract class BaseLayer<I extends LayerInput, Args extends LayerArgs = LayerArgs> extends Module {
  readonly name: string;
  /** The input shape the weights were built for (batch unknown). */
  builtShape: ShapeOf<I> | null = null;

  /**
   * The constructor options of this class, refused when misspelt (`new MaxPool2D({kernelSize: 3})`).
   * Each built-in class declares its own; a subclass that declares none (a user's layer with its
   * own options) is not checked.
   */
  static readonly argNames?: readonly string[];

  constructor(protected readonly args: Args) {
    super();
    if (Object.hasOwn(new.target, 'argNames')) checkOptions(new.target.name, args, (new.target as WithArgNames).argNames!);
    this.name = args.name ?? uniqueLayerName(this.constructor.name);
  }

  get built(): boolean {
    return this.builtShape !== null;
  }

  /** The `inputShape` option, if given (used by Sequential to build early). */
  get declaredInputShape(): readonly number[] | undefined {
    return this.args.inputShape;
  }

  /** The output shape for an input shape; throws a ShapeError naming this layer when they do not fit. */
  abstract computeOutputShape(inputShape: ShapeOf<I>): SymbolicShape;

  /** Creates the weights for an input shape (default: none). */
  protected build(_inputShape: ShapeOf<I>): void {}

  /** The computation on concrete tensors, once built. */
  protected abstract call(input: I): Tensor;

  /** The config that rebuilds this layer: its constructor options plus its name. */
  getConfig(): LayerConfig {
    return { ...(this.args as unknown as Record<string, Json>), name: this.name };
  }

  /** computeOutputShape with errors prefixed by the layer's name and class. */
  outputShape(inputShape: ShapeOf<I>): SymbolicShape {
    try {
      return this.computeOutputShape(inputShape);
    } catch (e) {
      if (e instanceof TensileError && !e.message.startsWith(`layer '${this.name}'`)) {
        throw new ShapeError(`layer '${this.name}' (${this.constructor.name}) cannot take input ${this.describeShape(inputShape)}: ${e.message}`);
      }
      throw e;
    }
  }

  private describeShape(shape: ShapeOf<I>): string {
    const s = shape as SymbolicShape | readonly SymbolicShape[];
    return s.length > 0 && Array.isArray(s[0]) ? (s as readonly SymbolicShape[]).map(formatSymbolicShape).join(' and ') : formatSymbolicShape(s as SymbolicShape);
  }

  /** Builds for `inputShape` unless built; checks the shape fits (which names this layer when not). */
  ensureBuilt(inputShape: ShapeOf<I>): SymbolicShape {
    const out = this.outputShape(inputShape);
    if (!this.built) {
      this.build(inputShape);
      this.builtShape = inputShape;
    }
    return out;
  }

  /** Runs the layer on tensors, building it on the first call. */
  forward(input: I): Tensor {
    const shape = this.symbolicShapeOf(input);
    const expected = this.ensureBuilt(shape);
    const y = this.call(input);
    if (!expected.every((d, i) => d === null || d === y.shape[i]) || expected.length !== y.rank) {
      throw new LayerError(`layer '${this.name}' (${this.constructor.name}) produced ${formatShape(y.shape)} but declares ${formatSymbolicShape(expected)}`);
    }
    return y;
  }

  private symbolicShapeOf(input: I): ShapeOf<I> {
    const inputs = input as Tensor | readonly Tensor[];
    return (Array.isArray(inputs) ? inputs.map((t: Tensor) => withUnknownBatch(t.shape)) : withUnknownBatch((inputs as Tensor).shape)) as ShapeOf<I>;
  }

  /**
   * The functional API: on symbolic tensors, records a node and returns the symbolic output
   * (shape errors surface here, naming the layer); on tensors, the same as `forward`.
   */
  apply(input: SymbolicOf<I>): SymbolicTensor;
  apply(input: I): Tensor;
  apply(input: SymbolicOf<I> | I): SymbolicTensor | Tensor {
    const symbolic = Array.isArray(input) ? input.length > 0 && input.every((t) => t instanceof SymbolicTensor) : input instanceof SymbolicTensor;
    if (!symbolic) return this.forward(input as I);
    const inputs = (Array.isArray(input) ? input : [input]) as readonly SymbolicTensor[];
    const shape = (Array.isArray(input) ? inputs.map((t) => t.shape) : inputs[0]!.shape) as ShapeOf<I>;
    const out = this.ensureBuilt(shape);
    return new SymbolicTensor(out, this.outputDType(inputs[0]!.dtype), { layer: this, inputs });
  }

  /** The output dtype for an input dtype (float32 for most layers). */
  protected outputDType(_inputDType: DType): DType {
    return 'float32';
  }

  /** Regularisation penalties of this layer's weights (added to the loss by `fit`). */
  regularizationLosses(): Tensor[] {
    return [];
  }
}

/** A layer of one input tensor. */
export abstract class Layer<Args extends LayerArgs = LayerArgs> extends BaseLayer<Tensor, Args> {}

/** A layer of several input tensors (Concatenate, Add, Multiply). */
export abstract class MergeLayer<Args extends LayerArgs = LayerArgs> extends BaseLayer<readonly Tensor[], Args> {}

/** Throws a ShapeError unless `shape` has `rank` axes (used in computeOutputShape). */
export function requireRank(shape: SymbolicShape, rank: number, layout: string): void {
  if (shape.length !== rank) throw new ShapeError(`expected rank ${rank} (${layout}), got ${formatSymbolicShape(shape)}`);
}

/** The size of an axis that must be known to build weights. */
export function knownSize(shape: SymbolicShape, axis: number, what: string): number {
  const d = shape[axis < 0 ? shape.length + axis : axis];
  if (d === null || d === undefined) throw new ShapeError(`the ${what} axis of ${formatSymbolicShape(shape)} must be known`);
  return d;
}
