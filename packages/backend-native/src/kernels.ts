/** The compiled kernels (build/Release/tensile_native.node) and the signatures of their Node-API entry points. */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { BackendError } from 'tensile';

export type Isa = 'avx512' | 'avx2' | 'generic';

/** Every array is written or read in place; descriptors are Float64Arrays in the order the comments give. */
export interface NativeKernels {
  /** Picks the GEMM micro-kernel (null: the best the CPU has) and starts workers for `threads`; returns the one in use. */
  select(isa: Isa | null, threads: number): Isa;
  opNames(): { unary: string[]; activation: string[]; binary: string[]; reduce: string[]; fused: string[] };
  /** info: batch, m, n, k, transposeA, transposeB, aBatchStride, bBatchStride. */
  matmul(a: Float32Array, b: Float32Array, out: Float32Array, info: Float64Array, bias: Float32Array | null, relu: number, threads: number): void;
  /** info: the 16 fields of Conv2DInfo in declaration order. */
  conv2d(x: Float32Array, filter: Float32Array, out: Float32Array, info: Float64Array, bias: Float32Array | null, relu: number, threads: number): void;
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, info: Float64Array, threads: number): void;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, info: Float64Array, threads: number): void;
  unary(op: number, x: Float32Array, out: Float32Array | Uint8Array, threads: number): void;
  activationGrad(op: number, dy: Float32Array, y: Float32Array, out: Float32Array, threads: number): void;
  binary(op: number, a: Float32Array, aStrides: Float64Array, b: Float32Array, bStrides: Float64Array, out: Float32Array | Uint8Array, shape: Float64Array, threads: number): void;
  reduce(op: number, x: Float32Array, out: Float32Array | Int32Array, outer: number, size: number, inner: number, threads: number): void;
  /** steps: (op, a, b) slot triples of an ElementwiseProgram; scalar: 1 for each single-value input. */
  fused(steps: Int32Array, inputs: readonly Float32Array[], scalar: Int32Array, out: Float32Array, threads: number): void;
  /** info: the 12 fields of Pool2DInfo in declaration order. */
  pool2d(max: number, x: Float32Array, out: Float32Array, info: Float64Array, threads: number): void;
  /** max: 0 average, 1 max, 2 max masked by the gradient of the ReLU whose output x is. */
  pool2dBackward(max: number, dy: Float32Array, x: Float32Array, dx: Float32Array, info: Float64Array, threads: number): void;
  /** scalars: learningRate, beta1, beta2, epsilon, correction1, correction2. pOut, mOut, vOut may be p, m, v themselves (in place). */
  adamStep(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, pOut: Float32Array, mOut: Float32Array, vOut: Float32Array, scalars: Float64Array, threads: number): void;
  /** info: height, width, cellSize; out: [⌊height/cellSize⌋, ⌊width/cellSize⌋, 31]. */
  hog(image: Float32Array, out: Float32Array, info: Float64Array, threads: number): void;
  /** info: height, width, outHeight, outWidth, uint8, then each axis's maxTaps (x, y); the taps as ResampleTaps holds them. */
  resizeGray(
    image: Float32Array, out: Float32Array, info: Float64Array, xStart: Int32Array, xCount: Int32Array, xWeight: Float32Array,
    yStart: Int32Array, yCount: Int32Array, yWeight: Float32Array, threads: number,
  ): void;
  /** info: mapHeight, mapWidth, windowHeight, windowWidth, channels. */
  windowScores(map: Float32Array, weights: Float32Array, out: Float32Array, info: Float64Array, threads: number): void;
}

const addonPath = fileURLToPath(new URL('../../build/Release/tensile_native.node', import.meta.url));

let loaded: NativeKernels | undefined;
let failure: string | undefined;
let isa: Isa = 'generic';
const ISAS: readonly Isa[] = ['avx512', 'avx2', 'generic'];

/**
 * The GEMM micro-kernel: the best the CPU supports, or the one TENSILE_NATIVE_ISA names (read at
 * load; a kernel the CPU lacks falls back to the best it has). Process-wide, like the CPU itself.
 */
function requestedIsa(): Isa | null {
  const requested = process.env['TENSILE_NATIVE_ISA'];
  if (requested === undefined || requested === '') return null;
  if (!(ISAS as readonly string[]).includes(requested)) throw new BackendError(`native: TENSILE_NATIVE_ISA='${requested}' is not one of ${ISAS.join(', ')}`);
  return requested as Isa;
}

/** Why the kernels cannot be used here, or undefined when they load. */
export function nativeUnavailable(): string | undefined {
  if (loaded) return undefined;
  if (failure) return failure;
  if (!existsSync(addonPath)) {
    failure = `the native kernels are not built (no ${addonPath}; install a C compiler and run \`npm rebuild @tensile/backend-native\`)`;
    return failure;
  }
  try {
    const kernels = createRequire(import.meta.url)(addonPath) as NativeKernels;
    isa = kernels.select(requestedIsa(), 1);
    loaded = kernels;
  } catch (e) {
    if (e instanceof BackendError) throw e;
    failure = `the native kernels failed to load (${(e as Error).message.split('\n')[0]})`;
  }
  return failure;
}

/** The loaded kernels and their GEMM micro-kernel; throws a BackendError saying why when they cannot load. */
export function loadKernels(): { kernels: NativeKernels; isa: Isa } {
  const why = nativeUnavailable();
  if (why !== undefined || !loaded) throw new BackendError(`native: ${why ?? 'the kernels did not load'}`);
  return { kernels: loaded, isa };
}
