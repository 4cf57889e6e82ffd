/**
 * The backend kernels a graph records and replays: their names, the types of their results, and a
 * call by name. Results are typed from the arguments alone (the contract fixes every output shape).
 */
import type { Backend, Conv2DInfo, DataId, DType, MatMulInfo, Pool2DInfo, HogInfo, Shape, TensorRef, TypedArray } from '../backend/contract.js';
import type { KernelName } from './ir.js';

export const KERNELS: readonly KernelName[] = [
  'fill', 'upload', 'unary', 'activationGrad', 'adamStep', 'binary', 'where', 'cast', 'stridedCopy', 'stridedScatter',
  'concat', 'gather', 'scatterAdd', 'reduce', 'topk', 'matmul', 'conv2d', 'conv2dBackpropInput', 'conv2dBackpropFilter',
  'pool2d', 'pool2dBackward', 'hog', 'softmaxCrossEntropy', 'softmaxCrossEntropyGrad',
];

/** Kernels a backend may lack: a trace's view leaves them out, so that ops take their composite path. */
export const OPTIONAL_KERNELS: ReadonlySet<KernelName> = new Set(['adamStep', 'softmaxCrossEntropy', 'softmaxCrossEntropyGrad']);

/** Kernels whose results come back as an array of ids (topk's as an object; the rest as one id). */
export const LIST_RESULTS: ReadonlySet<KernelName> = new Set(['adamStep', 'softmaxCrossEntropy']);

export interface ValueType {
  readonly shape: Shape;
  readonly dtype: DType;
}

function arrayDType(values: TypedArray): DType {
  if (values instanceof Float32Array) return 'float32';
  if (values instanceof Float64Array) return 'float64';
  if (values instanceof Int32Array) return 'int32';
  return 'bool';
}

/** The shapes and dtypes of a kernel call's results, from its arguments (buffers as TensorRefs). */
export function resultTypes(op: KernelName, args: readonly unknown[]): ValueType[] {
  const ref = (i: number): TensorRef => args[i] as TensorRef;
  const same = (i: number): ValueType[] => [{ shape: ref(i).shape, dtype: ref(i).dtype }];
  switch (op) {
    case 'fill':
      return [{ shape: [args[0] as number], dtype: args[2] as DType }];
    case 'upload': {
      const values = args[0] as TypedArray;
      return [{ shape: [values.length], dtype: arrayDType(values) }];
    }
    case 'unary':
      return [{ shape: ref(1).shape, dtype: args[2] as DType }];
    case 'activationGrad':
      return same(1);
    case 'adamStep':
      return [...same(0), ...same(0), ...same(0)];
    case 'adamStepInPlace':
      return [];
    case 'binary':
      return [{ shape: args[3] as Shape, dtype: args[4] as DType }];
    case 'where':
      return [{ shape: args[3] as Shape, dtype: ref(1).dtype }];
    case 'cast':
      return [{ shape: ref(0).shape, dtype: args[1] as DType }];
    case 'stridedCopy':
      return [{ shape: args[1] as Shape, dtype: ref(0).dtype }];
    case 'stridedScatter':
    case 'scatterAdd':
      return same(0);
    case 'concat':
      return [{ shape: args[2] as Shape, dtype: (args[0] as readonly TensorRef[])[0]!.dtype }];
    case 'gather':
      return [{ shape: args[3] as Shape, dtype: ref(0).dtype }];
    case 'reduce': {
      const op = args[0] as string;
      return [{ shape: [(args[2] as number) * (args[4] as number)], dtype: op === 'argmax' || op === 'argmin' ? 'int32' : (args[5] as DType) }];
    }
    case 'topk': {
      const shape = [...ref(0).shape.slice(0, -1), args[1] as number];
      return [{ shape, dtype: ref(0).dtype }, { shape, dtype: 'int32' }];
    }
    case 'matmul': {
      const info = args[2] as MatMulInfo;
      return [{ shape: [info.batch, info.m, info.n], dtype: ref(0).dtype }];
    }
    case 'conv2d': {
      const c = args[2] as Conv2DInfo;
      return [{ shape: [c.batch, c.outHeight, c.outWidth, c.outChannels], dtype: ref(0).dtype }];
    }
    case 'conv2dBackpropInput': {
      const c = args[2] as Conv2DInfo;
      return [{ shape: [c.batch, c.inHeight, c.inWidth, c.inChannels], dtype: ref(0).dtype }];
    }
    case 'conv2dBackpropFilter': {
      const c = args[2] as Conv2DInfo;
      return [{ shape: [c.filterHeight, c.filterWidth, c.inChannels / c.groups, c.outChannels], dtype: ref(0).dtype }];
    }
    case 'pool2d': {
      const p = args[2] as Pool2DInfo;
      return [{ shape: [p.batch, p.outHeight, p.outWidth, p.channels], dtype: ref(1).dtype }];
    }
    case 'pool2dBackward':
      return same(2);
    case 'pool2dReluBackward':
      return same(1);
    case 'fusedElementwise':
      return [{ shape: [args[2] as number], dtype: 'float32' }];
    case 'softmaxCrossEntropy':
      return [{ shape: [args[2] as number], dtype: ref(0).dtype }, { shape: [args[2] as number, args[3] as number], dtype: ref(0).dtype }];
    case 'softmaxCrossEntropyGrad':
      return [{ shape: [args[3] as number, args[4] as number], dtype: ref(0).dtype }];
    case 'hog': {
      const h = args[1] as HogInfo;
      return [{ shape: [Math.floor(h.height / h.cellSize), Math.floor(h.width / h.cellSize), 31], dtype: 'float32' }];
    }
  }
}

/** Kernel `op` of `backend` as a function of its argument list, returning its results as a list (adamStep's three, topk's values and indices, softmaxCrossEntropy's losses and softmax, none for an in-place kernel). */
export function kernelOf(backend: Backend, op: KernelName): (args: readonly unknown[]) => DataId[] {
  const kernel = backend[op] as ((...a: readonly unknown[]) => DataId | DataId[] | { values: DataId; indices: DataId } | undefined) | undefined;
  if (!kernel) throw new Error(`graph: backend '${backend.name}' has no kernel '${op}'`);
  const call = (args: readonly unknown[]): unknown => kernel.apply(backend, args as unknown[]);
  if (LIST_RESULTS.has(op)) return (args) => call(args) as DataId[];
  if (op === 'adamStepInPlace') {
    return (args) => {
      call(args);
      return [];
    };
  }
  if (op === 'topk') {
    return (args) => {
      const { values, indices } = call(args) as { values: DataId; indices: DataId };
      return [values, indices];
    };
  }
  return (args) => [call(args) as DataId];
}

/** Calls kernel `op` of `backend` once. */
export function callKernel(backend: Backend, op: KernelName, args: readonly unknown[]): DataId[] {
  return kernelOf(backend, op)(args);
}
