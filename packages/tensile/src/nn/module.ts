/**
 * The Module base (PyTorch's nn.Module): parameters, buffers and child modules are discovered from
 * the object's own properties, so a subclass only assigns them:
 *
 * ```ts
 * class Net extends Module {
 *   fc1 = new Dense({ units: 64, activation: 'relu' });
 *   fc2 = new Dense({ units: 10 });
 *   forward(x: Tensor): Tensor { return this.fc2.forward(this.fc1.forward(x)); }
 * }
 * new Net().namedParameters(); // after the first call: [['fc1.kernel', …], ['fc1.bias', …], …]
 * ```
 */
import { noGrad } from '../autograd/graph.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { StateDictError } from './errors.js';

const PARAMETERS = new WeakSet<Tensor>();
const BUFFERS = new WeakSet<Tensor>();

/** Marks `t` as a trainable parameter (it will require gradients); returns it. */
export function parameter(t: Tensor): Tensor {
  // Layers often build inside a scope() (the first training step); their weights must outlive it.
  PARAMETERS.add(t.requiresGrad_().keep());
  return t;
}

/** Marks `t` as a buffer: state that is saved but not trained (running statistics). */
export function buffer(t: Tensor): Tensor {
  BUFFERS.add(t.keep());
  return t;
}

export type StateDict = Record<string, Tensor>;

export abstract class Module {
  /** Training mode switches dropout, batch statistics and augmentation on. */
  training = true;

  /** Child modules by name; the default reads own properties (and arrays of modules as `name.i`). */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Module) out.push([key, value]);
      else if (Array.isArray(value)) value.forEach((v, i) => v instanceof Module && out.push([`${key}.${i}`, v]));
    }
    return out;
  }

  /** This module's own tensors of one kind (not its children's), by property name. */
  private ownTensors(kind: WeakSet<Tensor>): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [key, value] of Object.entries(this)) {
      if (value !== null && typeof value === 'object' && kind.has(value as Tensor)) out.push([key, value as Tensor]);
    }
    return out;
  }

  private collect(kind: WeakSet<Tensor>, prefix: string, seen: Set<Tensor>, out: [string, Tensor][]): [string, Tensor][] {
    for (const [name, t] of this.ownTensors(kind)) {
      if (seen.has(t)) continue;
      seen.add(t);
      out.push([prefix + name, t]);
    }
    for (const [name, child] of this.namedChildren()) child.collect(kind, `${prefix}${name}.`, seen, out);
    return out;
  }

  /** Every parameter with its dotted path, each shared parameter once. */
  namedParameters(): [string, Tensor][] {
    return this.collect(PARAMETERS, '', new Set(), []);
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  namedBuffers(): [string, Tensor][] {
    return this.collect(BUFFERS, '', new Set(), []);
  }

  /** This module and every descendant, depth first. */
  modules(): Module[] {
    return [this, ...this.namedChildren().flatMap(([, c]) => c.modules())];
  }

  /** Sets training mode here and in every descendant; returns this. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  zeroGrad(): void {
    for (const p of this.parameters()) p.zeroGrad();
  }

  /** Parameters and buffers by dotted name (the tensors themselves, not copies). */
  stateDict(): StateDict {
    return Object.fromEntries([...this.namedParameters(), ...this.namedBuffers()]);
  }

  /**
   * Copies values into this module's parameters and buffers (keeping their identity). With
   * `strict` (default), missing and unexpected keys are errors; shapes must always match.
   */
  loadStateDict(state: StateDict, options: { strict?: boolean } = {}): void {
    const own = this.stateDict();
    const missing = Object.keys(own).filter((k) => !(k in state));
    const unexpected = Object.keys(state).filter((k) => !(k in own));
    const problems: string[] = [];
    if ((options.strict ?? true) && missing.length) problems.push(`missing keys: ${missing.join(', ')}`);
    if ((options.strict ?? true) && unexpected.length) problems.push(`unexpected keys: ${unexpected.join(', ')}`);
    for (const [key, target] of Object.entries(own)) {
      const source = state[key];
      if (source && !shapesEqual(source.shape, target.shape)) {
        problems.push(`'${key}' has shape ${formatShape(source.shape)} in the state dict but ${formatShape(target.shape)} in the module`);
      }
    }
    if (problems.length) throw new StateDictError(`loadStateDict(${this.constructor.name}): ${problems.join('; ')}`);
    noGrad(() => {
      for (const [key, target] of Object.entries(own)) {
        const source = state[key];
        if (source) target.assign(source.dtype === target.dtype ? source.clone() : source.cast(target.dtype));
      }
    });
  }

  /** Number of parameter elements (all, or only trainable ones). */
  countParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }
}
