/** Tensile through its public API, on the backend named by the harness (threads via TENSILE_THREADS). */
import * as tl from '../../src/index.js';
import '../../src/backends/wasm/index.js';
import type { WasmBackend } from '../../src/backends/wasm/backend.js';
import type { Engine, WorkloadId } from '../workloads.js';
import { kernelWorkloads } from './kernel-workloads.js';
import { modelWorkloads } from './tensile-models.js';

export async function tensileEngine(backend: string): Promise<Engine> {
  const active = tl.setBackend(backend);
  if (active.name === 'wasm') await (active as WasmBackend).whenReady();
  const kernels = kernelWorkloads<tl.Tensor>({
    rand: (shape) => tl.rand(shape),
    add: (a, b) => tl.add(a, b),
    matmul: (a, b) => tl.matmul(a, b),
    conv2d: (x, filter) => tl.conv2d(x, filter, { padding: 'valid' }),
  });
  const calls: Record<WorkloadId, () => () => unknown> = { ...kernels, ...modelWorkloads };
  return {
    prepare: (id) => Promise.resolve(id in kernels ? tl.noGrad(calls[id]) : calls[id]()),
  };
}
