/**
 * A linear stack of layers (Keras' Sequential). It is built, and shapes are checked, as soon as the
 * input shape is known: from `inputShape` (of the model or its first layer) or from the first data.
 *
 * ```ts
 * const model = new Sequential([
 *   new Flatten({ inputShape: [28, 28, 1] }),
 *   new Dense({ units: 128, activation: 'relu' }),
 *   new Dense({ units: 10 }),
 * ]);
 * ```
 */
import type { Tensor } from '../tensor/tensor.js';
import { LayerError } from './errors.js';
import { Layer } from './layer.js';
import { Input } from './layers/input.js';
import { Model } from './model.js';
import type { SymbolicTensor } from './symbolic.js';

export interface SequentialArgs {
  readonly name?: string;
  /** Shape of one sample (no batch axis); alternatively give it to the first layer. */
  readonly inputShape?: readonly (number | null)[];
}

export class Sequential extends Model<SymbolicTensor> {
  private readonly stack: Layer[] = [];
  private inputShape: readonly (number | null)[] | null;

  constructor(layers: readonly Layer[] = [], args: SequentialArgs = {}) {
    super({ name: args.name });
    this.showInputLayers = false;
    this.inputShape = args.inputShape ?? layers[0]?.declaredInputShape ?? null;
    for (const layer of layers) this.add(layer);
  }

  /** Appends a layer; when the input shape is known, its shape is checked now. */
  add(layer: Layer): this {
    if (!(layer instanceof Layer)) throw new LayerError(`Sequential '${this.name}': add() takes a single-input layer, got ${String(layer)}`);
    if (this.stack.length === 0 && this.inputShape === null) this.inputShape = layer.declaredInputShape ?? null;
    this.stack.push(layer);
    if (this.inputShape) this.buildFor(this.inputShape);
    return this;
  }

  /** The shape of one sample this model was built for, if any. */
  get sampleShape(): readonly (number | null)[] | null {
    return this.inputShape;
  }

  /** (Re)wires the graph for samples of `shape`. */
  buildFor(shape: readonly (number | null)[]): void {
    this.inputShape = shape;
    const input = Input({ shape, name: `${this.name}_input` });
    this.setGraph(input, this.stack.reduce<SymbolicTensor>((h, layer) => layer.apply(h), input));
  }

  override get layers(): Layer[] {
    return [...this.stack];
  }

  override forward(x: Tensor | readonly Tensor[]): Tensor {
    if (!this.built) {
      if (this.stack.length === 0) throw new LayerError(`Sequential '${this.name}' has no layers`);
      const first = Array.isArray(x) ? (x as readonly Tensor[])[0]! : (x as Tensor);
      this.buildFor(first.shape.slice(1));
    }
    return super.forward(x);
  }
}
