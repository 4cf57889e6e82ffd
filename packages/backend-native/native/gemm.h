/* Single-precision GEMM: C = A·B (or C += A·B) over arbitrary row/column strides, with an epilogue. */
#ifndef TENSILE_GEMM_H
#define TENSILE_GEMM_H

typedef struct {
  long m, n, k;
  const float *a; /* A(i, p) = a[i * ars + p * acs] */
  long ars, acs;
  const float *b; /* B(p, j) = b[p * brs + j * bcs] */
  long brs, bcs;
  float *c; /* C(i, j) = c[i * ldc + j] */
  long ldc;
  int accumulate;    /* C += A·B instead of C = A·B */
  const float *bias; /* n values added to each row at the end, or NULL */
  int relu;          /* max(·, 0) after the bias, NaN passing through */
} gemm_args;

void gemm(const gemm_args *g, int threads);

/* Picks the micro-kernel: "avx512", "avx2", "generic", or NULL for the best the CPU supports.
 * Returns the name of the one in use (a request the CPU cannot run falls back to the best it can). */
const char *gemm_select(const char *name);

#endif
