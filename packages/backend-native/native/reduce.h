/* Float32 reductions over the middle axis of [outer, size, inner], and NHWC 2-D pooling. */
#ifndef TENSILE_REDUCE_H
#define TENSILE_REDUCE_H

extern const char *const REDUCE_OPS[];
extern const int REDUCE_OP_COUNT;

/* out: float32, or int32 for argmax/argmin. */
void reduce_f32(int op, const float *x, void *out, long outer, long size, long inner, int threads);

/* The fields of tensile's Pool2DInfo, in its order. */
typedef struct {
  long batch, in_h, in_w, channels, out_h, out_w, f_h, f_w, stride_h, stride_w, pad_top, pad_left;
} pool_info;

void pool2d_f32(int max, const float *x, float *out, const pool_info *p, int threads);
/* dx = the gradient of pool2d (every element written); max = 2: of max pooling, masked by the gradient of the ReLU whose output x is. */
void pool2d_backward_f32(int max, const float *dy, const float *x, float *dx, const pool_info *p, int threads);

#endif
