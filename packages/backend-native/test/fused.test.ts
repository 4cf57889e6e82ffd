/**
 * The native fused elementwise kernel against the reference backend running the same steps one
 * kernel at a time: every fusable op, NaN, ±0 and ±∞ among the values, scalar (broadcast) inputs,
 * and sizes across the kernel's tiles and its split over two threads. Bits must agree (NaN with NaN).
 * Says so and skips when the kernels are not built.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Backend, DataId, ElementwiseProgram, FusedOp, TensorRef } from 'tensile';
import { Generator, ReferenceBackend } from 'tensile';
import { NativeBackend, nativeUnavailable } from '../src/index.js';

const unavailable = nativeUnavailable();
if (unavailable) console.log(`native backend skipped: ${unavailable}`);

const BINARY: readonly FusedOp[] = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum'];
const UNARY: readonly FusedOp[] = ['neg', 'abs', 'sqrt', 'square', 'relu', 'reciprocal'];
const random = new Generator(11);
const SPECIAL = [Number.NaN, 0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1, -1];

function values(size: number): Float32Array {
  return Float32Array.from({ length: size }, () => (random.random() < 0.1 ? SPECIAL[Math.floor(random.random() * SPECIAL.length)]! : random.random() * 6 - 3));
}

/** The program's result computed step by step with `backend`'s separate kernels. */
function stepByStep(backend: Backend, program: ElementwiseProgram, inputs: readonly TensorRef[], size: number): Float32Array {
  const slots: TensorRef[] = [...inputs];
  for (const { op, args } of program.steps) {
    const [a, b] = [slots[args[0]!]!, slots[args[1] ?? args[0]!]!];
    let id: DataId;
    if (op === 'reluGrad') id = backend.activationGrad('relu', a, b);
    else if (BINARY.includes(op)) id = backend.binary(op as 'add', a, b, [size], 'float32');
    else id = backend.unary(op as 'neg', a, 'float32');
    slots.push({ id, shape: [size], dtype: 'float32' });
  }
  return backend.readSync(slots.at(-1)!) as Float32Array;
}

function check(program: ElementwiseProgram, inputSizes: readonly number[], size: number): void {
  const native = new NativeBackend({ threads: 2 });
  const reference = new ReferenceBackend();
  const data = inputSizes.map((n) => values(n));
  const refs = (backend: Backend): TensorRef[] => data.map((d) => ({ id: backend.upload(d), shape: [d.length], dtype: 'float32' }));
  const got = native.readSync({ id: native.fusedElementwise(program, refs(native), size), shape: [size], dtype: 'float32' });
  const want = stepByStep(reference, program, refs(reference), size);
  for (let i = 0; i < size; i++) {
    if (!Object.is(got[i], want[i])) assert.fail(`element ${i}: native ${got[i]}, reference ${want[i]} (${program.steps.map((s) => s.op).join(' → ')})`);
  }
}

describe('native fused elementwise kernel', { skip: unavailable }, () => {
  for (const size of [1, 7, 1000, 70001]) {
    it(`every op on ${size} values equals the reference's separate kernels`, () => {
      for (const op of [...BINARY, 'reluGrad'] as const) check({ inputs: 2, steps: [{ op, args: [0, 1] }] }, [size, size], size);
      for (const op of UNARY) check({ inputs: 1, steps: [{ op, args: [0] }] }, [size], size);
    });

    it(`a chain with scalar inputs and reused slots on ${size} values`, () => {
      // ((x·s + y) relu) · y, its square, then the ReLU gradient of that against x: slots 3.. are steps.
      const program: ElementwiseProgram = {
        inputs: 3,
        steps: [
          { op: 'mul', args: [0, 2] }, { op: 'add', args: [3, 1] }, { op: 'relu', args: [4] }, { op: 'mul', args: [5, 1] },
          { op: 'square', args: [6] }, { op: 'reluGrad', args: [7, 0] }, { op: 'maximum', args: [8, 2] },
        ],
      };
      check(program, [size, size, 1], size);
    });
  }
});
