/**
 * Fused elementwise kernels generated at run time: each ElementwiseProgram (a graph's chain of
 * float32 ops) becomes a small WebAssembly module that imports the backend's memory and runs the
 * whole chain in one pass, four lanes at a time (SIMD) with a scalar tail. The instructions are
 * those of the separate kernels (asm/elementwise.ts, asm/activation-grad.ts), so the bits agree.
 * Modules are cached per program and per pattern of scalar inputs; they run on the calling thread.
 */
import type { DataId, ElementwiseProgram, FusedOp, TensorRef } from '../../backend/contract.js';
import { sizeOf } from '../../tensor/shape.js';
import { MAX_PAGES } from './heap.js';
import type { WasmRuntime } from './runtime.js';

type Kernel = (...pointersAndCount: number[]) => void;

const SIMD = 0xfd;
const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;

/** Unsigned LEB128. */
function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (i32.const immediates). */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...leb(body.length), ...body];
}

function vector(items: number[][]): number[] {
  return [...leb(items.length), ...items.flat()];
}

const simd = (op: number): number[] => [SIMD, ...leb(op)];
const VECTOR_BINARY: Partial<Record<FusedOp, number>> = { add: 0xe4, sub: 0xe5, mul: 0xe6, div: 0xe7, minimum: 0xe8, maximum: 0xe9 };
const SCALAR_BINARY: Partial<Record<FusedOp, number>> = { add: 0x92, sub: 0x93, mul: 0x94, div: 0x95, minimum: 0x96, maximum: 0x97 };
const VECTOR_UNARY: Partial<Record<FusedOp, number>> = { abs: 0xe0, neg: 0xe1, sqrt: 0xe3 };
const SCALAR_UNARY: Partial<Record<FusedOp, number>> = { abs: 0x8b, neg: 0x8c, sqrt: 0x91 };
const F32_ZERO = [0x43, 0, 0, 0, 0];
const F32_ONE = [0x43, 0x00, 0x00, 0x80, 0x3f];

/** One operation on slots: the vector form (lanes = true) or the scalar-tail form. */
function operation(op: FusedOp, args: readonly number[], get: (slot: number) => number[], lanes: boolean): number[] {
  const [a, b] = [args[0]!, args[1] ?? -1];
  const splat = lanes ? simd(0x13) : [];
  const binary = (lanes ? VECTOR_BINARY : SCALAR_BINARY)[op];
  if (binary !== undefined) return [...get(a), ...get(b), ...(lanes ? simd(binary) : [binary])];
  const unary = (lanes ? VECTOR_UNARY : SCALAR_UNARY)[op];
  if (unary !== undefined) return [...get(a), ...(lanes ? simd(unary) : [unary])];
  switch (op) {
    case 'square':
      return [...get(a), ...get(a), ...(lanes ? simd(0xe6) : [0x94])];
    case 'relu':
      return [...get(a), ...F32_ZERO, ...splat, ...(lanes ? simd(0xe9) : [0x97])];
    case 'reciprocal':
      return [...F32_ONE, ...splat, ...get(a), ...(lanes ? simd(0xe7) : [0x95])];
    case 'reluGrad':
      // dy where y > 0, else 0: a mask AND in lanes (asm/activation-grad.ts), a select in the tail.
      return lanes
        ? [...get(a), ...get(b), ...F32_ZERO, ...simd(0x13), ...simd(0x44), ...simd(0x4e)]
        : [...get(a), ...F32_ZERO, ...get(b), ...F32_ZERO, 0x5e, 0x1b];
    default:
      throw new Error(`wasm.fusedElementwise: no code for '${op}'`);
  }
}

/** The module of `program` for inputs of which `scalar[k]` are single values. */
export function fusedModule(program: ElementwiseProgram, scalar: readonly boolean[]): Uint8Array<ArrayBuffer> {
  const n = program.inputs;
  const slots = n + program.steps.length;
  // Parameters: n input pointers, the output pointer, the element count. Then i (bytes), the vector end, a v128 and an f32 per slot.
  const [out, count, i, vectorEnd] = [n, n + 1, n + 2, n + 3];
  const vSlot = (k: number): number => n + 4 + k;
  const fSlot = (k: number): number => n + 4 + slots + k;
  const at = (pointer: number): number[] => [0x20, ...leb(pointer), 0x20, ...leb(i), 0x6a];
  const body: number[] = [];
  // vectorEnd = (count & ~3) · 4; scalar inputs are loaded (and splat) once.
  body.push(0x20, ...leb(count), 0x41, ...sleb(-4), 0x71, 0x41, 2, 0x74, 0x21, ...leb(vectorEnd));
  for (let k = 0; k < n; k++) {
    if (!scalar[k]) continue;
    body.push(0x20, ...leb(k), 0x2a, 2, 0, 0x22, ...leb(fSlot(k)), ...simd(0x13), 0x21, ...leb(vSlot(k)));
  }
  const pass = (lanes: boolean, end: number[]): void => {
    const get = (k: number): number[] => [0x20, ...leb(lanes ? vSlot(k) : fSlot(k))];
    body.push(0x02, 0x40, 0x03, 0x40, 0x20, ...leb(i), ...end, 0x4f, 0x0d, 1);
    for (let k = 0; k < n; k++) {
      if (scalar[k]) continue;
      body.push(...at(k), ...(lanes ? [...simd(0x00), 4, 0] : [0x2a, 2, 0]), 0x21, ...leb(lanes ? vSlot(k) : fSlot(k)));
    }
    program.steps.forEach((step, s) => body.push(...operation(step.op, step.args, get, lanes), 0x21, ...leb(lanes ? vSlot(n + s) : fSlot(n + s))));
    body.push(...at(out), ...get(slots - 1), ...(lanes ? [...simd(0x0b), 4, 0] : [0x38, 2, 0]));
    body.push(0x20, ...leb(i), 0x41, ...sleb(lanes ? 16 : 4), 0x6a, 0x21, ...leb(i), 0x0c, 0, 0x0b, 0x0b);
  };
  pass(true, [0x20, ...leb(vectorEnd)]);
  pass(false, [0x20, ...leb(count), 0x41, 2, 0x74]);
  body.push(0x0b);
  const locals = vector([[2, I32], [...leb(slots), V128], [...leb(slots), F32]]);
  const code = [...locals, ...body];
  const params = Array.from({ length: n + 2 }, () => I32);
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector([[0x60, ...leb(params.length), ...params, 0]])),
    // The backend's memory: shared, up to the heap's maximum.
    ...section(2, vector([[...leb(3), ...'env'.split('').map((c) => c.charCodeAt(0)), ...leb(6), ...'memory'.split('').map((c) => c.charCodeAt(0)), 0x02, 0x03, ...leb(1), ...leb(MAX_PAGES)]])),
    ...section(3, vector([[0]])),
    ...section(7, vector([[...leb(3), ...'run'.split('').map((c) => c.charCodeAt(0)), 0x00, 0]])),
    ...section(10, vector([[...leb(code.length), ...code]])),
  ]);
}

export class FusedKernels {
  private readonly cache = new WeakMap<ElementwiseProgram, Map<string, Kernel>>();
  /** Modules generated so far, and the milliseconds spent generating and compiling them (memory()). */
  generated = 0;
  generateMs = 0;

  constructor(private readonly rt: WasmRuntime) {}

  run(program: ElementwiseProgram, inputs: readonly TensorRef[], size: number): DataId {
    const scalar = inputs.map((x) => sizeOf(x.shape) === 1 && size !== 1);
    const pattern = scalar.map((s) => (s ? 's' : 'v')).join('');
    let kernels = this.cache.get(program);
    if (!kernels) this.cache.set(program, (kernels = new Map()));
    let kernel = kernels.get(pattern);
    if (!kernel) {
      const started = performance.now();
      const instance = new WebAssembly.Instance(new WebAssembly.Module(fusedModule(program, scalar)), { env: { memory: this.rt.heap.memory } });
      kernel = instance.exports['run'] as Kernel;
      kernels.set(pattern, kernel);
      this.generated++;
      this.generateMs += performance.now() - started;
    }
    this.rt.requireFloat32('fusedElementwise', ...inputs);
    const result = this.rt.allocate(size, 'float32');
    kernel(...inputs.map((x) => this.rt.ptr(x)), result.ptr, size);
    return result;
  }
}
