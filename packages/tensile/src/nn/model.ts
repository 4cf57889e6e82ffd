/**
 * Models: a graph of layers built with the functional API. Keras' training methods
 * (compile/fit/evaluate/predict) are attached by `train/model-methods.ts`, so `nn/` does not import training.
 *
 * ```ts
 * const inputs = Input({ shape: [784] });
 * const hidden = new Dense({ units: 64, activation: 'relu' }).apply(inputs);
 * const outputs = new Dense({ units: 10 }).apply(hidden);
 * const model = new Model({ inputs, outputs });
 * model.predict(x); // Tensor, because `outputs` is one symbolic tensor
 * ```
 */
import { ShapeError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { LayerError } from './errors.js';
import { BaseLayer, MergeLayer, uniqueLayerName } from './layer.js';
import { InputLayer } from './layers/input.js';
import { Module } from './module.js';
import { formatSymbolicShape, type GraphNode, type SymbolicTensor } from './symbolic.js';

/** The symbolic outputs a model is built with: one, or a list. */
export type Outputs = SymbolicTensor | readonly SymbolicTensor[];

/** What a model returns for the symbolic outputs it was built with: one Tensor or a list. */
export type ModelOutput<O extends Outputs> = O extends SymbolicTensor ? Tensor : Tensor[];

export interface ModelArgs<O extends Outputs> {
  readonly inputs: SymbolicTensor | readonly SymbolicTensor[];
  readonly outputs: O;
  readonly name?: string;
}

export type AnyLayer = BaseLayer<Tensor | readonly Tensor[]>;

/** One step of the graph in execution order. */
export interface ModelNode {
  readonly layer: AnyLayer;
  readonly inputs: readonly SymbolicTensor[];
  readonly output: SymbolicTensor;
}

function asLayer(node: GraphNode): AnyLayer {
  if (!(node.layer instanceof BaseLayer)) throw new LayerError(`'${node.layer.name}' is not a layer`);
  return node.layer as AnyLayer;
}

export class Model<O extends Outputs = SymbolicTensor> extends Module {
  readonly name: string;
  protected graphInputs: readonly SymbolicTensor[] = [];
  protected graphOutputs: readonly SymbolicTensor[] = [];
  protected singleOutput = true;
  /** Whether summary() lists Input layers (functional models do, Sequential does not). */
  protected showInputLayers = true;
  /** Graph nodes in execution order (inputs first). */
  protected nodes: ModelNode[] = [];
  /** Set by a callback to end `fit` after the current epoch. */
  stopTraining = false;

  constructor(args: ModelArgs<O> | { readonly name?: string }) {
    super();
    this.name = args.name ?? uniqueLayerName(this.constructor.name);
    if ('outputs' in args) this.setGraph(args.inputs, args.outputs);
  }

  /** Wires the graph from `inputs` to `outputs`; every path must start at an `Input`. */
  protected setGraph(inputs: SymbolicTensor | readonly SymbolicTensor[], outputs: Outputs): void {
    this.graphInputs = Array.isArray(inputs) ? inputs : [inputs as SymbolicTensor];
    this.singleOutput = !Array.isArray(outputs);
    this.graphOutputs = Array.isArray(outputs) ? outputs : [outputs as SymbolicTensor];
    for (const input of this.graphInputs) {
      if (!(input.node.layer instanceof InputLayer)) throw new LayerError(`Model '${this.name}': inputs must come from Input(), got ${String(input)}`);
    }
    const order: ModelNode[] = [];
    const visited = new Set<SymbolicTensor>();
    const visit = (t: SymbolicTensor): void => {
      if (visited.has(t)) return;
      visited.add(t);
      t.node.inputs.forEach(visit);
      if (t.node.inputs.length === 0 && !this.graphInputs.includes(t)) {
        throw new LayerError(`Model '${this.name}': output depends on input '${t.node.layer.name}' which is not among the model's inputs`);
      }
      order.push({ layer: asLayer(t.node), inputs: t.node.inputs, output: t });
    };
    this.graphOutputs.forEach(visit);
    this.nodes = order;
  }

  get built(): boolean {
    return this.nodes.length > 0;
  }

  /** The distinct layers, in execution order (Input layers included, as in Keras). */
  get layers(): AnyLayer[] {
    return [...new Set(this.nodes.map((n) => n.layer))];
  }

  /** Whether the model was built with one symbolic output (so it returns a Tensor, not a list). */
  get hasSingleOutput(): boolean {
    return this.singleOutput;
  }

  /** The graph in execution order (for serialisation). */
  get graphNodes(): readonly ModelNode[] {
    return this.nodes;
  }

  get inputs(): readonly SymbolicTensor[] {
    return this.graphInputs;
  }

  get outputs(): readonly SymbolicTensor[] {
    return this.graphOutputs;
  }

  /** A layer by name. */
  getLayer(name: string): AnyLayer {
    const layer = this.layers.find((l) => l.name === name);
    if (!layer) throw new LayerError(`Model '${this.name}' has no layer '${name}' (layers: ${this.layers.map((l) => l.name).join(', ')})`);
    return layer;
  }

  /** Children are the layers, named by their layer names (so weights are `dense.kernel`). */
  override namedChildren(): [string, Module][] {
    return this.layers.map((l) => [l.name, l]);
  }

  /** Runs the graph on tensors (one per model input). */
  forward(x: Tensor | readonly Tensor[]): ModelOutput<O> {
    const given = Array.isArray(x) ? (x as readonly Tensor[]) : [x as Tensor];
    if (given.length !== this.graphInputs.length) {
      throw new ShapeError(`Model '${this.name}' expects ${this.graphInputs.length} input(s), got ${given.length}`);
    }
    const values = new Map<SymbolicTensor, Tensor>();
    this.graphInputs.forEach((input, i) => values.set(input, given[i]!));
    for (const node of this.nodes) {
      if (node.inputs.length === 0) {
        node.layer.forward(values.get(node.output)!);
        continue;
      }
      const args = node.inputs.map((t) => values.get(t)!);
      values.set(node.output, node.layer instanceof MergeLayer ? node.layer.forward(args) : node.layer.forward(args[0]!));
    }
    const outs = this.graphOutputs.map((t) => values.get(t)!);
    return (this.singleOutput ? outs[0]! : outs) as ModelOutput<O>;
  }

  /** Regularisation penalties of every layer. */
  regularizationLosses(): Tensor[] {
    return this.layers.flatMap((l) => l.regularizationLosses());
  }

  /**
   * A Keras-style table of layers, output shapes and parameter counts; returned and, unless
   * `print` is false, printed.
   */
  summary(options: { print?: boolean } = {}): string {
    if (!this.built) throw new LayerError(`Model '${this.name}' is not built yet: give its first layer an inputShape or call it on data first`);
    const rows = this.nodes
      .filter((n) => this.showInputLayers || !(n.layer instanceof InputLayer))
      .map((n) => [`${n.layer.name} (${n.layer.constructor.name})`, formatSymbolicShape(n.output.shape), String(n.layer.countParameters())]);
    const header = ['Layer (type)', 'Output Shape', 'Param #'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)) + 2);
    const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('').trimEnd();
    const rule = (ch: string): string => ch.repeat(widths.reduce((a, b) => a + b, 0));
    const total = this.countParameters();
    const trainable = this.parameters().filter((p) => p.requiresGrad).reduce((n, p) => n + p.size, 0);
    const text = [
      `Model: "${this.name}"`,
      rule('─'),
      line(header),
      rule('═'),
      ...rows.map(line),
      rule('─'),
      `Total params: ${total.toLocaleString('en-US')}`,
      `Trainable params: ${trainable.toLocaleString('en-US')}`,
      `Non-trainable params: ${(total - trainable).toLocaleString('en-US')}`,
    ].join('\n');
    if (options.print ?? true) console.log(text);
    return text;
  }
}
