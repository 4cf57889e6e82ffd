/* Elementwise float32 kernels: unary maps, activation gradients, broadcasting binary ops, the Adam step. */
#ifndef TENSILE_ELEMENTWISE_H
#define TENSILE_ELEMENTWISE_H

#include <stdint.h>

#define MAX_RANK 8

/* Op names in code order; the JS side maps tensile's op names to codes through these lists. */
extern const char *const UNARY_OPS[];
extern const int UNARY_OP_COUNT;
extern const char *const ACTIVATION_OPS[];
extern const int ACTIVATION_OP_COUNT;
extern const char *const BINARY_OPS[];
extern const int BINARY_OP_COUNT;

/* out (float32, or bytes for isNaN/isFinite) = op(x) over n values. */
void unary_f32(int op, const float *x, void *out, long n, int threads);
void activation_grad_f32(int op, const float *dy, const float *y, float *out, long n, int threads);
/* out (float32, or bytes for comparisons) = op(a, b) with a, b broadcast by their strides over shape. */
void binary_f32(int op, const float *a, const long *a_strides, const float *b, const long *b_strides, void *out, const long *shape, int rank,
                int threads);
/* One Adam update; each output is either its own array or its input itself (the update in place). */
void adam_step_f32(const float *p, const float *g, const float *m, const float *v, float *p_out, float *m_out, float *v_out, long n,
                   const double *scalars, int threads);

#endif
