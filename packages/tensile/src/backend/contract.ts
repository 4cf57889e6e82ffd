/**
 * The backend contract: everything a device must implement for Tensile to run on it.
 *
 * Kernels see contiguous row-major buffers only, described by a {@link TensorRef}. Each compute
 * kernel allocates and returns a fresh buffer; the core owns lifetimes and calls `free` exactly once
 * per buffer. Shapes, dtypes and arguments are validated by the ops before a kernel is called, so a
 * kernel may assume its inputs are consistent.
 */
import type { ResizeMethod } from './resample.js';

/** Element types. `float64` exists on the reference backend only (gradient checks). Helpers: `tensor/dtype.ts`. */
export type DType = 'float32' | 'float64' | 'int32' | 'bool';

/** Host values of a buffer, one typed array per dtype (`bool` as bytes). */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/** Dimensions, outermost first. Helpers: `tensor/shape.ts`. */
export type Shape = readonly number[];

/** An opaque handle to a buffer owned by one backend. */
export type DataId = object;

/** A buffer as kernels see it: storage, logical shape and element type. */
export interface TensorRef {
  readonly id: DataId;
  readonly shape: Shape;
  readonly dtype: DType;
}

export type UnaryOp =
  | 'neg' | 'abs' | 'sign' | 'sqrt' | 'rsqrt' | 'exp' | 'log' | 'log1p' | 'expm1' | 'square'
  | 'reciprocal' | 'floor' | 'ceil' | 'round' | 'sin' | 'cos' | 'erf' | 'relu' | 'sigmoid' | 'tanh'
  | 'softplus' | 'elu' | 'softsign' | 'isNaN' | 'isFinite' | 'logicalNot';

/** Activations whose gradient a backend computes from the output alone (`elu` is ELU with α = 1). */
export type ActivationOp = 'relu' | 'sigmoid' | 'tanh' | 'softplus' | 'elu' | 'softsign';

export type BinaryOp =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum' | 'mod'
  | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'logicalAnd' | 'logicalOr';

export type ReduceOp = 'sum' | 'prod' | 'max' | 'min' | 'argmax' | 'argmin' | 'all' | 'any';

/** NHWC input, HWIO filter (I = inChannels / groups), NHWC output. */
export interface Conv2DInfo {
  readonly batch: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly inChannels: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly outChannels: number;
  readonly filterHeight: number;
  readonly filterWidth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly dilationHeight: number;
  readonly dilationWidth: number;
  readonly padTop: number;
  readonly padLeft: number;
  readonly groups: number;
}

/** NHWC pooling window. Padded cells never win a max and are not counted in an average. */
export interface Pool2DInfo {
  readonly batch: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly channels: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly filterHeight: number;
  readonly filterWidth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly padTop: number;
  readonly padLeft: number;
}

/** `batch` matrix products of [m,k]·[k,n]; operands may be stored transposed; batch strides of 0 broadcast. */
export interface MatMulInfo {
  readonly batch: number;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly transposeA: boolean;
  readonly transposeB: boolean;
  readonly aBatchStride: number;
  readonly bBatchStride: number;
}

/**
 * What a product kernel applies to each output value as it writes it: + bias[channel] (bias of
 * length n / outChannels, same dtype as the output), then ReLU. Saves the two passes over the
 * output that separate bias and activation ops would make.
 */
/**
 * The scalars of one Adam step, each used as a float32 exactly as the composite update uses it:
 * m′ = m·beta1 + g·(1−beta1); v′ = v·beta2 + g²·(1−beta2);
 * p′ = p − (m′/correction1) / (√(v′/correction2) + epsilon) · learningRate, with correction_k = 1 − beta_kᵗ.
 */
export interface AdamStepScalars {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly correction1: number;
  readonly correction2: number;
}

/** Histogram-of-oriented-gradients geometry: a [height, width] float32 image, square cells of `cellSize` pixels. */
export interface HogInfo {
  readonly height: number;
  readonly width: number;
  readonly cellSize: number;
}

/** Every window of a [mapHeight, mapWidth, channels] map against one [windowHeight, windowWidth, channels] set of weights. */
export interface WindowScoresInfo {
  readonly mapHeight: number;
  readonly mapWidth: number;
  readonly windowHeight: number;
  readonly windowWidth: number;
  readonly channels: number;
}

/** A gray image's resize: source and target sizes, the method, and whether the pixels are 8-bit (backend/resample.ts). */
export interface ResizeGrayInfo {
  readonly height: number;
  readonly width: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly method: ResizeMethod;
  readonly uint8: boolean;
}

/** The float32 operations a fused elementwise program may use (`reluGrad` is activationGrad('relu', dy, y)). */
export type FusedOp = 'add' | 'sub' | 'mul' | 'div' | 'maximum' | 'minimum' | 'neg' | 'abs' | 'sqrt' | 'square' | 'relu' | 'reciprocal' | 'reluGrad';

/**
 * A chain of float32 elementwise operations to run in one pass (graph fusion). Slots 0..inputs−1
 * are the inputs; step k writes slot inputs + k from earlier slots; the last step is the result.
 * Each input has the result's size or is one scalar, broadcast. Every operation rounds to float32
 * as the separate kernels do, so a fused pass gives their bits.
 */
export interface ElementwiseProgram {
  readonly inputs: number;
  readonly steps: readonly { readonly op: FusedOp; readonly args: readonly number[] }[];
}

/**
 * Work a product kernel does as it writes its output: + bias (one value per output channel, the last
 * axis), + residual (a tensor of the output's shape, added element by element), then ReLU. Each add
 * rounds to the output's dtype, as the separate ops would.
 */
export interface OutputEpilogue {
  readonly bias: TensorRef | null;
  /** Absent or null for none. */
  readonly residual?: TensorRef | null;
  readonly relu: boolean;
}

export interface BackendMemory {
  /** Buffers alive in this backend. */
  readonly buffers: number;
  /** Bytes held by those buffers. */
  readonly bytes: number;
  /** Backend-specific counters (pool size, kernel fallbacks …). */
  readonly [extra: string]: number;
}

/**
 * A block of backend memory a compiled graph keeps for the results it frees within a call
 * (graph/memory-plan.ts gives each an offset from their liveness): the call makes no allocation
 * for them.
 */
export interface ResultArena {
  /**
   * The next result buffer the backend makes (before `unplace`) goes at `offset` bytes into the
   * arena, if it needs at most `bytes`; elsewhere otherwise. Freeing such a buffer frees nothing.
   */
  place(offset: number, bytes: number): void;
  /** Drops a placement the kernel did not take. */
  unplace(): void;
  /** Returns the arena's memory to the backend. */
  dispose(): void;
}

export interface Backend {
  readonly name: string;
  /** Element types this backend stores. */
  readonly dtypes: readonly DType[];
  /**
   * True when buffers live outside the JS heap (WASM memory, GPU buffers): the core then makes the
   * garbage collector aware of their size, so unreferenced tensors are collected as memory churns.
   */
  readonly externalMemory?: boolean;
  /**
   * Resolves once the backend runs at full strength (worker threads started). Kernels work before
   * that on fewer threads, whose float sums differ in the last bits: a seeded run waits for this
   * so that it gives the same numbers every time.
   */
  whenReady?(): Promise<void>;

  // Memory.
  /** Copies host values into a new buffer. */
  upload(values: TypedArray): DataId;
  /** A new buffer of `size` elements, every element `value`. */
  fill(size: number, value: number, dtype: DType): DataId;
  /** A copy of the buffer's contents on the host. */
  readSync(x: TensorRef): TypedArray;
  read(x: TensorRef): Promise<TypedArray>;
  free(id: DataId): void;
  memory(): BackendMemory;

  // Elementwise. Binary and where broadcast their operands to `outShape` (numpy rules).
  unary(op: UnaryOp, x: TensorRef, outDType: DType): DataId;
  /** dL/dx of y = op(x) from dL/dy and y (same shape and float dtype), in one pass. */
  activationGrad(op: ActivationOp, dy: TensorRef, y: TensorRef): DataId;
  /**
   * One Adam step over float32 buffers of one shape, in one pass: the new [param, m, v] (fresh
   * buffers; the inputs are untouched). Optional: without it optimizers run the composite update,
   * which gives the same bits.
   */
  adamStep?(param: TensorRef, grad: TensorRef, m: TensorRef, v: TensorRef, scalars: AdamStepScalars): [DataId, DataId, DataId];
  /**
   * The same step written into `param`, `m` and `v` themselves (same bits as adamStep). Optional:
   * compiled graphs use it where nothing reads the old values afterwards (graph/in-place.ts).
   */
  adamStepInPlace?(param: TensorRef, grad: TensorRef, m: TensorRef, v: TensorRef, scalars: AdamStepScalars): void;
  binary(op: BinaryOp, a: TensorRef, b: TensorRef, outShape: Shape, outDType: DType): DataId;
  /**
   * Softmax cross-entropy of float logits [rows, classes] at int32 labels [rows], each in [0, classes):
   * the rows' losses −log softmax(logits)[label] and the softmax [rows, classes] the gradient reads, in one
   * pass. Optional: without it the loss is logSoftmax and a gather, op by op.
   */
  softmaxCrossEntropy?(logits: TensorRef, labels: TensorRef, rows: number, classes: number): [DataId, DataId];
  /** The gradient of those losses for the logits, (softmax − onehot(label)) · dy[row], [rows, classes] of the softmax's type. Present with softmaxCrossEntropy. */
  softmaxCrossEntropyGrad?(softmax: TensorRef, labels: TensorRef, dy: TensorRef, rows: number, classes: number): DataId;
  /**
   * Runs a fused elementwise program over `size` float32 elements in one pass. Optional: graphs run
   * the program's separate kernels where a backend has none (the reference backend, the spec).
   */
  fusedElementwise?(program: ElementwiseProgram, inputs: readonly TensorRef[], size: number): DataId;
  /** A ResultArena of `bytes` bytes. Optional: graphs on backends without one allocate and free each result. */
  resultArena?(bytes: number): ResultArena;
  where(condition: TensorRef, a: TensorRef, b: TensorRef, outShape: Shape): DataId;
  cast(x: TensorRef, dtype: DType): DataId;

  // Movement.
  /** out[i0..in] = x[offset + Σ ik·strides[k]] for an output of `outShape` (strides may be 0 or negative). */
  stridedCopy(x: TensorRef, outShape: Shape, strides: readonly number[], offset: number): DataId;
  /** A copy of `base` where the positions addressed by (strides, offset) over `src.shape` hold `src`. */
  stridedScatter(base: TensorRef, src: TensorRef, strides: readonly number[], offset: number): DataId;
  /** Joins along `axis`; inputs agree on every other dimension. */
  concat(inputs: readonly TensorRef[], axis: number, outShape: Shape): DataId;
  /** x viewed as [outer, axisSize, inner]; int32 indices of any shape → [outer, ...indices.shape, inner]. */
  gather(x: TensorRef, indices: TensorRef, axis: number, outShape: Shape): DataId;
  /** A copy of `base` ([outer, axisSize, inner]) with src ([outer, ...indices.shape, inner]) added at the indices. */
  scatterAdd(base: TensorRef, indices: TensorRef, src: TensorRef, axis: number): DataId;

  // Reductions: x viewed as [outer, reduceSize, inner] → [outer, inner]. argmax/argmin return int32.
  reduce(op: ReduceOp, x: TensorRef, outer: number, reduceSize: number, inner: number, outDType: DType): DataId;
  /** The k largest (or smallest) along the last axis, sorted, with their int32 indices. */
  topk(x: TensorRef, k: number, largest: boolean): { values: DataId; indices: DataId };

  // Linear algebra and convolution.
  matmul(a: TensorRef, b: TensorRef, info: MatMulInfo, epilogue?: OutputEpilogue): DataId;
  conv2d(x: TensorRef, filter: TensorRef, info: Conv2DInfo, epilogue?: OutputEpilogue): DataId;
  conv2dBackpropInput(dy: TensorRef, filter: TensorRef, info: Conv2DInfo): DataId;
  conv2dBackpropFilter(x: TensorRef, dy: TensorRef, info: Conv2DInfo): DataId;
  pool2d(kind: 'max' | 'avg', x: TensorRef, info: Pool2DInfo): DataId;
  pool2dBackward(kind: 'max' | 'avg', dy: TensorRef, x: TensorRef, info: Pool2DInfo): DataId;
  /**
   * pool2dBackward('max', dy, x, info) masked by activationGrad('relu', ·, x) in one pass: the
   * gradient through a max pool of a ReLU's output x (same bits). Optional: graphs run the two
   * kernels where a backend has none.
   */
  pool2dReluBackward?(dy: TensorRef, x: TensorRef, info: Pool2DInfo): DataId;

  // Vision.
  /** HOG features [⌊height/cellSize⌋, ⌊width/cellSize⌋, 31] of a float32 image, as the reference backend's vision/hog.ts specifies. */
  hog(image: TensorRef, info: HogInfo): DataId;
  /** A float32 [height, width] image resampled to [outHeight, outWidth], as backend/resample.ts specifies. */
  resizeGray(image: TensorRef, info: ResizeGrayInfo): DataId;
  /** [mapHeight − windowHeight + 1, mapWidth − windowWidth + 1]: the weights' dot product with the window at each position (valid cross-correlation). */
  windowScores(map: TensorRef, weights: TensorRef, info: WindowScoresInfo): DataId;
}

/**
 * Int8 inference kernels: a single-threaded program with a linear memory of its own, so int8 models
 * run beside the float kernels without touching their buffers. A backend that has them registers
 * them apart from its float kernels (`registerInt8Kernels`), so int8 inference starts no float
 * backend. Pointers are byte offsets into `memory`; the caller lays its buffers out from
 * `heapBase()` up and grows `memory` (in 64 KiB pages) to fit them.
 */
export interface Int8Kernels {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  heapBase(): number;
  /**
   * Int8 NHWC image → int16 rows (x − zeroPoint) of kernelH×kernelW×channels patches, zero-padded
   * to `depth` (a multiple of 8), one row per output pixel, into `cols`.
   */
  im2colS8(
    x: number, height: number, width: number, channels: number, zeroPoint: number, kernelH: number, kernelW: number,
    padTop: number, padLeft: number, outHeight: number, outWidth: number, depth: number, cols: number,
  ): void;
  /**
   * A [m, depth] × W [n, depth]ᵀ (int16) → out [m, n]: each sum · scale[j] + offset[j] (float32
   * arrays of n), floored at `floor` and saturated to int8, or that float32 itself when floatOutput ≠ 0.
   */
  gemmS16(a: number, m: number, depth: number, w: number, n: number, scale: number, offset: number, floor: number, floatOutput: number, out: number): void;
  /** pool×pool max pooling with stride pool. */
  maxPoolS8(x: number, height: number, width: number, channels: number, pool: number, out: number): void;
  /** Each channel's rounded mean over all pixels. */
  globalAveragePoolS8(x: number, pixels: number, channels: number, out: number): void;
}
