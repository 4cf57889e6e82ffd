/**
 * Recurrent layers over [batch, time, features] sequences, with Keras' weight layouts and gate
 * orders (LSTM: i, f, c, o; GRU: z, r, h with the reset gate applied after the recurrent product).
 * The input projection of every step is one matmul up front; only the recurrent product loops.
 */
import { activation as activationFn, type ActivationName } from '../../ops/activations.js';
import { add, mul, sub } from '../../ops/arithmetic.js';
import { stack } from '../../ops/concat.js';
import { tensor, zeros } from '../../ops/creation.js';
import { matmul } from '../../ops/matmul.js';
import { slice, split } from '../../ops/slice.js';
import { ShapeError } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { initialize, type InitializerSpec } from '../initializers.js';
import { knownSize, Layer, type LayerArgs, requireRank } from '../layer.js';
import { parameter } from '../module.js';
import type { RegularizerSpec } from '../regularizers.js';
import type { SymbolicShape } from '../symbolic.js';
import { weightPenalties } from './weights.js';
import { LAYER_ARGS } from '../layer.js';
import { optionNames } from '../../options.js';

const RECURRENT_ARGS = [...LAYER_ARGS, 'units', 'returnSequences', 'activation', 'recurrentActivation', 'useBias', 'kernelInitializer', 'recurrentInitializer', 'biasInitializer', 'kernelRegularizer', 'recurrentRegularizer'] as const;

export interface RecurrentArgs extends LayerArgs {
  readonly units: number;
  /** Output every step [N, T, units] instead of the last one [N, units]. */
  readonly returnSequences?: boolean;
  /** Candidate/output activation (default tanh). */
  readonly activation?: ActivationName;
  /** Gate activation (default sigmoid). */
  readonly recurrentActivation?: ActivationName;
  readonly useBias?: boolean;
  readonly kernelInitializer?: InitializerSpec;
  readonly recurrentInitializer?: InitializerSpec;
  readonly biasInitializer?: InitializerSpec;
  readonly kernelRegularizer?: RegularizerSpec;
  readonly recurrentRegularizer?: RegularizerSpec;
}

abstract class Recurrent<Args extends RecurrentArgs> extends Layer<Args> {
  kernel: Tensor | null = null;
  recurrentKernel: Tensor | null = null;
  bias: Tensor | null = null;
  /** Number of stacked gates in the kernels (4 for LSTM, 3 for GRU). */
  protected abstract readonly gates: number;

  computeOutputShape(s: SymbolicShape): SymbolicShape {
    requireRank(s, 3, '[batch, time, features]');
    if (this.kernel && s[2] !== null && s[2] !== this.kernel.shape[0]) throw new ShapeError(`built for ${this.kernel.shape[0]} features, got ${s[2]}`);
    return this.args.returnSequences ? [s[0]!, s[1]!, this.args.units] : [s[0]!, this.args.units];
  }

  protected override build(s: SymbolicShape): void {
    const u = this.args.units;
    this.kernel = parameter(initialize(this.args.kernelInitializer ?? 'glorotUniform', [knownSize(s, 2, 'feature'), this.gates * u]));
    this.recurrentKernel = parameter(initialize(this.args.recurrentInitializer ?? 'orthogonal', [u, this.gates * u]));
  }

  protected act(x: Tensor): Tensor {
    return activationFn(this.args.activation ?? 'tanh')(x);
  }

  protected gate(x: Tensor): Tensor {
    return activationFn(this.args.recurrentActivation ?? 'sigmoid')(x);
  }

  /** One step: new hidden state (and cell) from this step's input projection. */
  protected abstract step(projected: Tensor, state: Tensor[]): Tensor[];

  /** The input-side bias added to the projection. */
  protected abstract inputBias(): Tensor | null;

  protected call(x: Tensor): Tensor {
    const [n, t] = x.shape as [number, number, number];
    const b = this.inputBias();
    const projectedAll = b ? add(matmul(x, this.kernel!), b) : matmul(x, this.kernel!);
    let state = this.initialState(n);
    const outputs: Tensor[] = [];
    for (let i = 0; i < t; i++) {
      state = this.step(slice(projectedAll, [null, i]), state);
      if (this.args.returnSequences) outputs.push(state[0]!);
    }
    return this.args.returnSequences ? stack(outputs, 1) : state[0]!;
  }

  protected abstract initialState(batch: number): Tensor[];

  override regularizationLosses(): Tensor[] {
    return weightPenalties([[this.args.kernelRegularizer, this.kernel], [this.args.recurrentRegularizer, this.recurrentKernel]]);
  }
}

export interface LSTMArgs extends RecurrentArgs {
  /** Initialise the forget gate's bias to 1 (default true, as Keras). */
  readonly unitForgetBias?: boolean;
}

/** Long short-term memory: `new LSTM({ units: 32, returnSequences: true })`. */
export class LSTM extends Recurrent<LSTMArgs> {
  static override readonly argNames = optionNames<LSTMArgs>()(...RECURRENT_ARGS, 'unitForgetBias');

  protected readonly gates = 4;

  protected override build(s: SymbolicShape): void {
    super.build(s);
    if (!(this.args.useBias ?? true)) return;
    const u = this.args.units;
    const init = initialize(this.args.biasInitializer ?? 'zeros', [4 * u]);
    if (!(this.args.unitForgetBias ?? true)) this.bias = parameter(init);
    else {
      const values = init.dataSync();
      values.fill(1, u, 2 * u);
      this.bias = parameter(tensor(values, [4 * u]));
    }
  }

  protected inputBias(): Tensor | null {
    return this.bias;
  }

  protected initialState(batch: number): Tensor[] {
    return [zeros([batch, this.args.units]), zeros([batch, this.args.units])];
  }

  protected step(projected: Tensor, [h, c]: Tensor[]): Tensor[] {
    const [i, f, g, o] = split(add(projected, matmul(h!, this.recurrentKernel!)), 4, -1) as [Tensor, Tensor, Tensor, Tensor];
    const cell = add(mul(this.gate(f), c!), mul(this.gate(i), this.act(g)));
    return [mul(this.gate(o), this.act(cell)), cell];
  }
}

/** Gated recurrent unit (Keras 3 default: reset gate after the recurrent product, separate biases). */
export class GRU extends Recurrent<RecurrentArgs> {
  static override readonly argNames = optionNames<RecurrentArgs>()(...RECURRENT_ARGS);

  protected readonly gates = 3;
  recurrentBias: Tensor | null = null;

  protected override build(s: SymbolicShape): void {
    super.build(s);
    if (!(this.args.useBias ?? true)) return;
    this.bias = parameter(initialize(this.args.biasInitializer ?? 'zeros', [3 * this.args.units]));
    this.recurrentBias = parameter(initialize(this.args.biasInitializer ?? 'zeros', [3 * this.args.units]));
  }

  protected inputBias(): Tensor | null {
    return this.bias;
  }

  protected initialState(batch: number): Tensor[] {
    return [zeros([batch, this.args.units])];
  }

  protected step(projected: Tensor, [h]: Tensor[]): Tensor[] {
    const recurrent = matmul(h!, this.recurrentKernel!);
    const [xz, xr, xh] = split(projected, 3, -1) as [Tensor, Tensor, Tensor];
    const [rz, rr, rh] = split(this.recurrentBias ? add(recurrent, this.recurrentBias) : recurrent, 3, -1) as [Tensor, Tensor, Tensor];
    const z = this.gate(add(xz, rz));
    const r = this.gate(add(xr, rr));
    const candidate = this.act(add(xh, mul(r, rh)));
    // h' = z·h + (1 − z)·candidate
    return [add(mul(z, h!), mul(sub(1, z), candidate))];
  }
}
