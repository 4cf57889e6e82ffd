/** Base class of every error Tensile throws on purpose. */
export class TensileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Shapes that do not fit an op: broadcasting, inner dimensions, reshape sizes, axes. */
export class ShapeError extends TensileError {}

/** A dtype an op or backend does not accept. */
export class DTypeError extends TensileError {}

/** An argument outside its domain: NaN sizes, bad options, out-of-range indices. */
export class ValueError extends TensileError {}

/** Tensors on different backends, unknown backends, kernels a backend lacks. */
export class BackendError extends TensileError {}

/** Use of a tensor after dispose(). */
export class DisposedError extends TensileError {}

/** Autograd misuse: backward on a tensor without a graph, non-scalar without a gradient. */
export class GradError extends TensileError {}

/** What a compiled function cannot trace: reading values, branching on data, moving between backends. */
export class TraceError extends TensileError {}
