/* 2-D convolution (NHWC input, HWIO filter, groups) through im2col and the GEMM. */
#ifndef TENSILE_CONV_H
#define TENSILE_CONV_H

/* The fields of tensile's Conv2DInfo, in its order. */
typedef struct {
  long batch, in_h, in_w, in_c, out_h, out_w, out_c, f_h, f_w, stride_h, stride_w, dil_h, dil_w, pad_top, pad_left, groups;
} conv_info;

/* out = conv(x, w) + bias, then ReLU when relu ≠ 0 (bias may be NULL). */
void conv2d(const float *x, const float *w, float *out, const conv_info *c, const float *bias, int relu, int threads);
/* dx (zeroed by the caller) = the gradient of conv2d with respect to x. */
void conv2d_backprop_input(const float *dy, const float *w, float *dx, const conv_info *c, int threads);
/* dw (zeroed by the caller) = the gradient of conv2d with respect to w. */
void conv2d_backprop_filter(const float *x, const float *dy, float *dw, const conv_info *c, int threads);

#endif
