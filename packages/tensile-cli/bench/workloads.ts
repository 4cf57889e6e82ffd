/** The workloads of WORKLOADS.md (beside this file): ids, units and how a per-call time becomes the reported figure. */
import type { ProtocolOptions } from './protocol.js';

export type WorkloadId =
  | 'tiny_add' | 'sgemm_128' | 'sgemm_256' | 'sgemm_512' | 'sgemm_1024' | 'conv1' | 'conv2'
  | 'mnist_train' | 'mnist_train_jit' | 'mnist_infer' | 'mlp_train' | 'mlp_train_jit' | 'face_embed' | 'face_embed_trained' | 'face_landmarks' | 'face_detect';

export interface Workload {
  readonly id: WorkloadId;
  readonly unit: string;
  readonly higherIsBetter: boolean;
  /** The reported figure for one call taking `ms` milliseconds. */
  value(ms: number): number;
  readonly protocol: ProtocolOptions;
}

const gemm = (n: number): Workload => ({
  id: `sgemm_${n}` as WorkloadId,
  unit: 'GFLOP/s',
  higherIsBetter: true,
  value: (ms) => (2 * n ** 3) / (ms * 1e6),
  protocol: { warmup: 3, samples: 9, minBlockMs: 30 },
});
const milliseconds = (id: WorkloadId, protocol: ProtocolOptions, unit = 'ms'): Workload =>
  ({ id, unit, higherIsBetter: false, value: (ms) => ms, protocol });

/** tiny_add comes first: the protocol measures dispatch on a fresh runtime. */
export const WORKLOADS: readonly Workload[] = [
  { id: 'tiny_add', unit: 'µs/op', higherIsBetter: false, value: (ms) => (ms * 1000) / 10000, protocol: { warmup: 3, samples: 9, minBlockMs: 30 } },
  gemm(128), gemm(256), gemm(512), gemm(1024),
  milliseconds('conv1', { warmup: 3, samples: 9, minBlockMs: 30 }),
  milliseconds('conv2', { warmup: 3, samples: 9, minBlockMs: 30 }),
  milliseconds('mnist_train', { warmup: 5, warmupMs: 1000, samples: 30, minBlockMs: 0 }, 'ms/step'),
  // The same step compiled (jit): traced on the first warm-up call, replayed afterwards (Tensile only).
  milliseconds('mnist_train_jit', { warmup: 5, warmupMs: 1000, samples: 30, minBlockMs: 0 }, 'ms/step'),
  { id: 'mnist_infer', unit: 'images/s', higherIsBetter: true, value: (ms) => 256 / (ms / 1000), protocol: { warmup: 3, samples: 15, minBlockMs: 30 } },
  milliseconds('mlp_train', { warmup: 10, warmupMs: 1000, samples: 30, minBlockMs: 20 }, 'ms/step'),
  milliseconds('mlp_train_jit', { warmup: 10, warmupMs: 1000, samples: 30, minBlockMs: 20 }, 'ms/step'),
  // face-api's networks with its pretrained weights (issue 23): one aligned 150×150 face → 128-d
  // descriptor, one 112×112 face → 68 landmarks; batch 1, result read back.
  milliseconds('face_embed', { warmup: 3, samples: 9, minBlockMs: 30 }, 'ms/face'),
  // The embedder trained in Tensile (issue 22): one 96×96 RGB face chip → unit 128-d embedding, read back.
  milliseconds('face_embed_trained', { warmup: 3, samples: 9, minBlockMs: 30 }, 'ms/face'),
  milliseconds('face_landmarks', { warmup: 3, samples: 9, minBlockMs: 30 }, 'ms/face'),
  milliseconds('face_detect', { warmup: 2, samples: 9, minBlockMs: 0 }, 'ms/frame'),
];

/** Engines that are orders of magnitude slower get the lighter protocol of WORKLOADS.md. */
export function slowEngineProtocol(w: Workload): ProtocolOptions {
  if (w.id === 'sgemm_512' || w.id === 'sgemm_1024') return { warmup: 1, samples: 5, minBlockMs: 30 };
  if (w.id.startsWith('sgemm') || w.id.startsWith('conv')) return { ...w.protocol, samples: 5 };
  if (w.id === 'mnist_infer') return { ...w.protocol, samples: 7 };
  if (w.id === 'mnist_train' || w.id === 'mnist_train_jit') return { warmup: 1, samples: 10, minBlockMs: 0 };
  return w.protocol;
}

/** The eager workload a compiled (`_jit`) one is the same step of, or the workload itself. */
export function eagerWorkload(id: WorkloadId): WorkloadId {
  return id.endsWith('_jit') ? (id.slice(0, -'_jit'.length) as WorkloadId) : id;
}

/** One row of `--json` output. */
export interface Result {
  readonly workload: WorkloadId;
  readonly engine: string;
  readonly threads: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly unit: string;
}

/** A workload an engine cannot run, with the reason shown in the table. */
export interface Skip {
  readonly workload: WorkloadId;
  readonly engine: string;
  readonly threads: number;
  readonly skipped: string;
}

/** An engine prepares one workload (data generated before timing) and returns the call to time. */
export interface Engine {
  prepare(id: WorkloadId): Promise<(() => unknown) | string>;
}
