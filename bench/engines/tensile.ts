/** Tensile through its public API, on the backend named by the harness (threads via TENSILE_THREADS). */
import * as tl from '../../src/index.js';
import '../../src/backends/wasm/index.js';
import type { WasmBackend } from '../../src/backends/wasm/backend.js';
import type { Engine, WorkloadId } from '../workloads.js';
import { kernelWorkloads } from './kernel-workloads.js';

const MODEL_PENDING = 'needs the layers/optimizer API (src/nn, src/optim), not landed yet';

export async function tensileEngine(backend: string): Promise<Engine> {
  const active = tl.setBackend(backend);
  if (active.name === 'wasm') await (active as WasmBackend).whenReady();
  const calls: Partial<Record<WorkloadId, () => () => unknown>> = kernelWorkloads<tl.Tensor>({
    rand: (shape) => tl.rand(shape),
    add: (a, b) => tl.add(a, b),
    matmul: (a, b) => tl.matmul(a, b),
    conv2d: (x, filter) => tl.conv2d(x, filter, { padding: 'valid' }),
  });
  return {
    prepare: (id) => Promise.resolve(tl.noGrad(() => calls[id]?.() ?? MODEL_PENDING)),
  };
}
