/**
 * Reverse-mode differentiation over the recorded graph: one topological sort, one sweep.
 * `backward()` accumulates into leaves' `.grad` (PyTorch); `gradients()` returns the gradients of
 * chosen tensors (torch.autograd.grad), which `grad`/`valueAndGrad` build on.
 */
import { GradError } from '../errors.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import { enterScope, exitScope, inInnermostScope } from '../tensor/storage.js';
import type { BackwardRule } from '../tensor/grad-node.js';
import type { Tensor } from '../tensor/tensor.js';
import { fullOn } from '../tensor/wrap.js';
import { accumulate } from './accumulate.js';
import { withGradMode } from './graph.js';

export interface BackwardOptions {
  /** Keep the graph so backward can run through it again (default: the value of createGraph, as in PyTorch). */
  retainGraph?: boolean;
  /** Record the gradient computation itself, for higher derivatives (default false). */
  createGraph?: boolean;
}

/** Tensors reachable from `root` through recorded ops, each after everything that depends on it. */
function reverseTopologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>([root]);
  const stack: [Tensor, number][] = [[root, 0]];
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const [t, next] = top;
    const inputs = t.gradFn?.inputs ?? [];
    if (next < inputs.length) {
      top[1]++;
      const child = inputs[next]!;
      if (child.requiresGrad && !seen.has(child)) {
        seen.add(child);
        stack.push([child, 0]);
      }
    } else {
      order.push(t);
      stack.pop();
    }
  }
  return order.reverse();
}

function seedGradient(op: string, root: Tensor, gradient: Tensor | undefined): Tensor {
  if (!root.requiresGrad) {
    throw new GradError(`${op}: the tensor does not require a gradient (no input of its graph has requiresGrad, or it was made under noGrad)`);
  }
  if (gradient === undefined) {
    if (root.size !== 1) throw new GradError(`${op}: a gradient must be given for a non-scalar output ${formatShape(root.shape)}`);
    return fullOn(root.backend, root.shape, 1, root.dtype);
  }
  if (!shapesEqual(gradient.shape, root.shape)) {
    throw new GradError(`${op}: gradient ${formatShape(gradient.shape)} does not match the output ${formatShape(root.shape)}`);
  }
  return gradient;
}

/**
 * Runs a backward rule in a scope of its own, so the temporaries it makes are freed before the next
 * rule runs; the gradients it returns that it made itself are added to `made`.
 */
function backwardFreeingTemporaries(rule: BackwardRule, dy: Tensor, made: Set<Tensor>): readonly (Tensor | null)[] {
  let grads: readonly (Tensor | null)[] = [];
  enterScope();
  try {
    grads = rule(dy);
    for (const gi of grads) if (gi && inInnermostScope(gi)) made.add(gi);
  } finally {
    exitScope(new Set(grads.filter((gi): gi is Tensor => gi !== null)));
  }
  return grads;
}

/**
 * Sweeps the graph from `root`; calls `onLeaf` for each leaf reached and returns the gradient of every
 * tensor in `wanted`. With `freeEarly` (the caller runs the sweep in a scope of its own), a gradient
 * the sweep made is freed as soon as it has been passed on, so only the frontier of gradients is in
 * memory rather than all of them until the sweep ends.
 */
function sweep(root: Tensor, seed: Tensor, options: BackwardOptions, wanted: readonly Tensor[], onLeaf: (leaf: Tensor, g: Tensor) => void, freeEarly = false): Map<Tensor, Tensor> {
  const found = new Map<Tensor, Tensor>();
  const pending = new Map<Tensor, Tensor>([[root, seed]]);
  const wantedSet = new Set(wanted);
  // Gradients the sweep made (only these may be freed early) and those that outlive their use in
  // it: results and what the leaves received.
  const made = new Set<Tensor>();
  const kept = new Set<Tensor>();
  const release = (g: Tensor, passedOn: readonly (Tensor | null | undefined)[]): void => {
    if (!made.has(g) || kept.has(g) || passedOn.includes(g)) return;
    for (const other of pending.values()) if (other === g) return;
    made.delete(g);
    g.dispose();
  };
  withGradMode(options.createGraph ?? false, () => {
    for (const t of reverseTopologicalOrder(root)) {
      const g = pending.get(t);
      if (!g) continue;
      pending.delete(t);
      if (wantedSet.has(t)) {
        found.set(t, g);
        kept.add(g);
      }
      const node = t.gradFn;
      if (!node) {
        kept.add(g);
        onLeaf(t, g);
        continue;
      }
      if (!node.backward) {
        throw new GradError(`backward: the graph through '${node.op}' was already freed; pass {retainGraph: true} to the first backward to run it twice`);
      }
      const inputGrads = freeEarly ? backwardFreeingTemporaries(node.backward, g, made) : node.backward(g);
      node.inputs.forEach((input, i) => {
        const gi = inputGrads[i];
        if (!gi || !input.requiresGrad) return;
        if (!shapesEqual(gi.shape, input.shape)) {
          throw new GradError(`backward: '${node.op}' produced a gradient ${formatShape(gi.shape)} for an input ${formatShape(input.shape)}`);
        }
        const previous = pending.get(input);
        if (!previous) {
          pending.set(input, gi);
          return;
        }
        const sum = accumulate('backward', previous, gi);
        pending.set(input, sum);
        if (freeEarly) {
          made.add(sum);
          [previous, gi].forEach((summed) => release(summed, inputGrads));
        }
      });
      release(g, inputGrads);
      if (!(options.retainGraph ?? options.createGraph)) {
        node.backward = null;
        node.inputs = [];
      }
    }
  });
  return found;
}

/** Accumulates d(root)/d(leaf) into `.grad` of every leaf that requires a gradient. */
export function backward(root: Tensor, gradient?: Tensor, options: BackwardOptions = {}): void {
  const seed = seedGradient('backward', root, gradient);
  const leaves: Tensor[] = [];
  const run = (): void => {
    sweep(root, seed, options, [], (leaf, g) => {
      leaf.grad = leaf.grad ? accumulate('backward', leaf.grad, g) : g;
      leaves.push(leaf);
    }, !options.createGraph);
  };
  if (options.createGraph) {
    run();
    return;
  }
  // Intermediate gradients are freed as soon as the sweep ends; only the leaves' .grad survive.
  enterScope();
  try {
    run();
  } finally {
    exitScope(new Set([...leaves.map((l) => l.grad!), seed]));
  }
}

/** d(root)/d(input) for each of `inputs` (zeros where no path leads), without touching `.grad`. */
export function gradients(root: Tensor, inputs: readonly Tensor[], options: BackwardOptions & { gradient?: Tensor } = {}): Tensor[] {
  const seed = seedGradient('gradients', root, options.gradient);
  const found = sweep(root, seed, options, inputs, () => {});
  return inputs.map((x) => found.get(x) ?? fullOn(x.backend, x.shape, 0, x.dtype));
}
