/** Tensile through its public API, on the backend named by the harness (threads via TENSILE_THREADS). */
import * as tl from 'tensile';
import type { Engine, WorkloadId } from '../workloads.js';
import { kernelWorkloads } from './kernel-workloads.js';
import { modelWorkloads } from './tensile-models.js';
import { faceWorkloads } from './tensile-faces.js';
import { faceDetectCall } from '../face-detect.js';

export async function tensileEngine(backend: string): Promise<Engine> {
  tl.setBackend(backend);
  await tl.ready();
  const kernels = kernelWorkloads<tl.Tensor>({
    rand: (shape) => tl.rand(shape),
    add: (a, b) => tl.add(a, b),
    matmul: (a, b) => tl.matmul(a, b),
    conv2d: (x, filter) => tl.conv2d(x, filter, { padding: 'valid' }),
  });
  const calls: Record<Exclude<WorkloadId, 'face_detect'>, () => (() => unknown) | Promise<() => unknown>> = { ...kernels, ...modelWorkloads, ...faceWorkloads };
  return {
    prepare: (id) => (id === 'face_detect' ? faceDetectCall() : Promise.resolve(id in kernels ? tl.noGrad(calls[id] as () => () => unknown) : calls[id]())),
  };
}
