/** The kernel-level workloads (tiny_add, sgemm, conv), written once over a minimal tensor API. */

export interface KernelApi<T> {
  rand(shape: number[]): T;
  add(a: T, b: T): { dispose(): void };
  matmul(a: T, b: T): { dispose(): void };
  /** Stride 1, 'valid' padding, NHWC input, HWIO filter. */
  conv2d(x: T, filter: T): { dispose(): void };
}

export type KernelWorkload = 'tiny_add' | 'sgemm_128' | 'sgemm_256' | 'sgemm_512' | 'sgemm_1024' | 'conv1' | 'conv2';

export function kernelWorkloads<T>(api: KernelApi<T>): Record<KernelWorkload, () => () => unknown> {
  const gemm = (n: number) => (): (() => unknown) => {
    const a = api.rand([n, n]);
    const b = api.rand([n, n]);
    return () => api.matmul(a, b).dispose();
  };
  const conv = (x: number[], filters: number) => (): (() => unknown) => {
    const input = api.rand(x);
    const filter = api.rand([3, 3, x[3]!, filters]);
    return () => api.conv2d(input, filter).dispose();
  };
  return {
    tiny_add: () => {
      const a = api.rand([4]);
      const b = api.rand([4]);
      return () => {
        for (let i = 0; i < 10000; i++) api.add(a, b).dispose();
      };
    },
    sgemm_128: gemm(128),
    sgemm_256: gemm(256),
    sgemm_512: gemm(512),
    sgemm_1024: gemm(1024),
    conv1: conv([64, 28, 28, 1], 32),
    conv2: conv([64, 13, 13, 32], 64),
  };
}
