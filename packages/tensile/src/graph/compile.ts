/**
 * `jit(fn)`: a function of tensors traced on its first call per input signature (shapes,
 * dtypes, backend), optimised, and replayed on later calls with that signature. The first call is
 * the traced eager run itself; later calls run the graph.
 */
import type { Backend } from '../backend/contract.js';
import { setTraceRecorder, traceRecorder } from '../backend/trace-hook.js';
import { TraceError, ValueError } from '../errors.js';
import { checkOptions, optionNames } from '../options.js';
import { scope } from '../tensor/lifetime.js';
import { formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { cropUnreadBorders } from './crop-borders.js';
import { eliminateCommonSubexpressions } from './cse.js';
import { eliminateDeadCode } from './dce.js';
import { Executable } from './executor.js';
import { foldConstants } from './fold.js';
import { fuseElementwise } from './fuse.js';
import { fuseEpilogues } from './fuse-epilogue.js';
import { fusePoolReluGradients } from './fuse-pool-relu.js';
import { updateInPlace } from './in-place.js';
import type { Graph } from './ir.js';
import { simplify } from './simplify.js';
import { Trace } from './trace.js';

export type TensorFunction<R extends Tensor | readonly Tensor[]> = (...inputs: Tensor[]) => R;

export interface JitOptions {
  /** Name used in errors and pictures (default: the function's name). */
  readonly name?: string;
  /** Input signatures kept compiled at once; the least recently used is dropped (default 8). */
  readonly cacheSize?: number;
  /** Run the optimisation passes (default true); false replays the graph as traced. */
  readonly optimize?: boolean;
}

const JIT_OPTIONS = optionNames<JitOptions>()('name', 'cacheSize', 'optimize');

/** What compiling one signature produced, for inspection and tests. */
export interface CompiledGraph {
  readonly signature: string;
  /** The graph as traced, and after the passes. */
  readonly traced: Graph;
  readonly optimized: Graph;
  readonly executable: Executable;
  /** Whether the function returned one tensor (not an array). */
  readonly single: boolean;
  /** Milliseconds spent tracing (the eager run included) and optimising. */
  readonly traceMs: number;
  readonly optimizeMs: number;
}

export interface CompiledFunction<R extends Tensor | readonly Tensor[]> {
  (...inputs: Tensor[]): R;
  /** The compiled signatures, most recently used last. */
  readonly graphs: readonly CompiledGraph[];
  /** Traces made so far (a new signature, or one dropped from the cache, traces again). */
  readonly traces: number;
}

function signatureOf(inputs: readonly Tensor[]): string {
  return inputs.map((t) => `${t.storage.backend.name}:${t.dtype}${formatShape(t.shape)}`).join(' ');
}

/** The default passes in order: each may expose work for the next (folding makes constants that simplification reads; borders are cropped once pool and ReLU gradients are one node; fusion, then in-place updates on the final order, come last). */
export function optimizeGraph(graph: Graph, backend: Backend): Graph {
  const folded = foldConstants(eliminateDeadCode(graph), backend);
  const fused = fuseElementwise(cropUnreadBorders(fusePoolReluGradients(fuseEpilogues(eliminateDeadCode(eliminateCommonSubexpressions(simplify(folded)))))));
  return backend.adamStepInPlace ? updateInPlace(fused) : fused;
}

export function jit<R extends Tensor | readonly Tensor[]>(fn: TensorFunction<R>, options: JitOptions = {}): CompiledFunction<R> {
  checkOptions('jit', options, JIT_OPTIONS);
  const name = options.name ?? (fn.name || 'function');
  const cacheSize = options.cacheSize ?? 8;
  if (!(Number.isInteger(cacheSize) && cacheSize > 0)) throw new ValueError(`jit(${name}): cacheSize must be a positive integer, got ${cacheSize}`);
  const cache = new Map<string, CompiledGraph>();
  let traces = 0;

  const trace = (inputs: Tensor[], signature: string): R => {
    const started = performance.now();
    const recorder = new Trace(name, inputs);
    setTraceRecorder(recorder);
    let result: R;
    let traced: Graph;
    try {
      try {
        result = scope(() => fn(...inputs));
      } finally {
        setTraceRecorder(null);
      }
      const results: readonly Tensor[] = result instanceof Tensor ? [result] : (result as readonly Tensor[]);
      results.forEach((t, i) => {
        if (!(t instanceof Tensor)) throw new TraceError(`jit(${name}): the function must return a tensor or an array of tensors; result ${i} is ${typeof t}`);
      });
      traced = recorder.finish(results);
    } finally {
      recorder.close();
    }
    traces++;
    const backend = recorder.backend ?? inputs[0]?.storage.backend;
    if (!backend) throw new TraceError(`jit(${name}): the function ran no kernel and took no tensor, so there is nothing to compile`);
    const optimizeStart = performance.now();
    const optimized = options.optimize === false ? traced : optimizeGraph(traced, backend);
    const executable = new Executable(optimized, backend, recorder.replayHooks, recorder.guards);
    if (cache.size >= cacheSize) {
      const oldest = cache.keys().next().value!;
      cache.get(oldest)!.executable.dispose();
      cache.delete(oldest);
    }
    cache.set(signature, { signature, single: result instanceof Tensor, traced, optimized, executable, traceMs: optimizeStart - started, optimizeMs: performance.now() - optimizeStart });
    return result;
  };

  const compiled = (...inputs: Tensor[]): R => {
    inputs.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new TraceError(`jit(${name}): argument ${i} must be a Tensor, got ${t === null ? 'null' : typeof t}`);
    });
    // Inside another trace the function is simply part of the outer graph.
    if (traceRecorder()) return fn(...inputs);
    const signature = signatureOf(inputs);
    const hit = cache.get(signature);
    if (!hit) return trace(inputs, signature);
    cache.delete(signature);
    cache.set(signature, hit);
    const outputs = hit.executable.run(inputs);
    return (hit.single ? outputs[0] : outputs) as unknown as R;
  };
  Object.defineProperty(compiled, 'graphs', { get: () => [...cache.values()] });
  Object.defineProperty(compiled, 'traces', { get: () => traces });
  return compiled as CompiledFunction<R>;
}
