/** Tensile through its public API, on the backend named by the harness (threads via TENSILE_THREADS; 'native' from @tensile/backend-native). */
import * as tl from 'tensile';
import type { Engine, WorkloadId } from '../workloads.js';
import { kernelWorkloads } from './kernel-workloads.js';
import { modelWorkloads } from './tensile-models.js';

type Prepared = (() => unknown) | string;

/**
 * The face workloads run the applications' networks; they load only when asked for, so the harness
 * runs its kernel and model workloads where the applications are not beside it.
 */
const faceWorkloads: Record<'face_embed' | 'face_embed_trained' | 'face_landmarks' | 'face_detect', () => Promise<Prepared>> = {
  face_embed: async () => (await import('./tensile-faces.js')).faceWorkloads.face_embed(),
  face_embed_trained: async () => (await import('./tensile-trained-embedder.js')).trainedEmbedderCall(),
  face_landmarks: async () => (await import('./tensile-faces.js')).faceWorkloads.face_landmarks(),
  face_detect: async () => (await import('../face-detect.js')).faceDetectCall(),
};

export async function tensileEngine(backend: string): Promise<Engine> {
  if (backend === 'native') {
    // Loaded lazily, as the face workloads are: the harness also runs from a copy without the CLI beside it.
    const { loadNativeBackend } = await import('../../src/cli/backend.js');
    const why = await loadNativeBackend();
    if (why !== undefined) return { prepare: () => Promise.resolve(`native backend unavailable: ${why}`) };
  }
  tl.setBackend(backend);
  await tl.ready();
  const kernels = kernelWorkloads<tl.Tensor>({
    rand: (shape) => tl.rand(shape),
    add: (a, b) => tl.add(a, b),
    matmul: (a, b) => tl.matmul(a, b),
    conv2d: (x, filter) => tl.conv2d(x, filter, { padding: 'valid' }),
  });
  const calls: Record<WorkloadId, () => Prepared | Promise<Prepared>> = { ...kernels, ...modelWorkloads, ...faceWorkloads };
  return {
    prepare: (id) => Promise.resolve(id in kernels ? tl.noGrad(calls[id] as () => () => unknown) : calls[id]()),
  };
}
