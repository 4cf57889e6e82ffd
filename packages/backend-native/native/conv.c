/*
 * Convolutions as GEMMs. Patches (im2col) are gathered a chunk of images at a time so the scratch
 * stays bounded; a 1×1, stride-1, unpadded convolution needs no patches at all. Each group is a
 * column slice of the filter and the output, addressed through the GEMM's strides.
 */
#include "conv.h"

#include <stdlib.h>
#include <string.h>

#include "gemm.h"
#include "pool.h"

/* Patch scratch per chunk, in floats (16 MiB). */
#define CHUNK_FLOATS (1L << 22)

typedef struct {
  const conv_info *c;
  const float *x; /* image tensor (NHWC) */
  float *cols;    /* [rows, K] patches */
  float *dx;      /* col2im target */
  long n0, rows, c0, cg, k;
  int tasks;
} patches;

static int pointwise(const conv_info *c) {
  return c->f_h == 1 && c->f_w == 1 && c->stride_h == 1 && c->stride_w == 1 && c->pad_top == 0 && c->pad_left == 0 &&
         c->groups == 1 && c->out_h == c->in_h && c->out_w == c->in_w;
}

static void im2col_task(void *ctx, long t) {
  const patches *p = ctx;
  const conv_info *c = p->c;
  long per = (p->rows + p->tasks - 1) / p->tasks, r0 = t * per, r1 = r0 + per < p->rows ? r0 + per : p->rows;
  long ohw = c->out_h * c->out_w;
  for (long r = r0; r < r1; r++) {
    long n = p->n0 + r / ohw, oy = r % ohw / c->out_w, ox = r % c->out_w;
    float *dst = p->cols + r * p->k;
    for (long fy = 0; fy < c->f_h; fy++) {
      long iy = oy * c->stride_h - c->pad_top + fy * c->dil_h;
      for (long fx = 0; fx < c->f_w; fx++, dst += p->cg) {
        long ix = ox * c->stride_w - c->pad_left + fx * c->dil_w;
        /* Loops, not memcpy: the runs are short (one float for a single-channel image). */
        if (iy < 0 || iy >= c->in_h || ix < 0 || ix >= c->in_w) {
          for (long ch = 0; ch < p->cg; ch++) dst[ch] = 0;
        } else {
          const float *src = p->x + ((n * c->in_h + iy) * c->in_w + ix) * c->in_c + p->c0;
          for (long ch = 0; ch < p->cg; ch++) dst[ch] = src[ch];
        }
      }
    }
  }
}

/* Adds patch gradients back into dx; tasks own whole images, so no two write one cell. */
static void col2im_task(void *ctx, long t) {
  const patches *p = ctx;
  const conv_info *c = p->c;
  long ohw = c->out_h * c->out_w;
  long n = p->n0 + t;
  for (long r = t * ohw; r < (t + 1) * ohw; r++) {
    long oy = r % ohw / c->out_w, ox = r % c->out_w;
    const float *src = p->cols + r * p->k;
    for (long fy = 0; fy < c->f_h; fy++) {
      long iy = oy * c->stride_h - c->pad_top + fy * c->dil_h;
      for (long fx = 0; fx < c->f_w; fx++, src += p->cg) {
        long ix = ox * c->stride_w - c->pad_left + fx * c->dil_w;
        if (iy < 0 || iy >= c->in_h || ix < 0 || ix >= c->in_w) continue;
        float *d = p->dx + ((n * c->in_h + iy) * c->in_w + ix) * c->in_c + p->c0;
        for (long ch = 0; ch < p->cg; ch++) d[ch] += src[ch];
      }
    }
  }
}

/* The patch scratch of the calling thread, kept between calls: a fresh multi-MB
 * block per call would be page-faulted in every time. */
static _Thread_local float *scratch;
static _Thread_local size_t scratch_floats;

/* Images per chunk, and the patch scratch for them. */
static long chunk_images(const conv_info *c, long k, float **cols) {
  long per_image = c->out_h * c->out_w * k;
  long images = per_image > 0 ? CHUNK_FLOATS / per_image : c->batch;
  if (images < 1) images = 1;
  if (images > c->batch) images = c->batch;
  size_t need = (size_t)(images * per_image > 0 ? images * per_image : 1);
  if (need > scratch_floats) {
    free(scratch);
    scratch = malloc(need * sizeof(float));
    if (!scratch) abort();
    scratch_floats = need;
  }
  *cols = scratch;
  return images;
}

static void gather_patches(patches *p, int threads) {
  p->tasks = threads > 1 && p->rows * p->k > 16384 ? threads : 1;
  pool_run(im2col_task, p, p->tasks, threads);
}

void conv2d(const float *x, const float *w, float *out, const conv_info *c, const float *bias, int relu, int threads) {
  long opg = c->out_c / c->groups, cg = c->in_c / c->groups, k = c->f_h * c->f_w * cg, ohw = c->out_h * c->out_w;
  if (pointwise(c)) {
    gemm_args g = {c->batch * ohw, c->out_c, c->in_c, x, c->in_c, 1, w, c->out_c, 1, out, c->out_c, 0, bias, relu};
    gemm(&g, threads);
    return;
  }
  float *cols;
  long images = chunk_images(c, k, &cols);
  for (long n0 = 0; n0 < c->batch; n0 += images) {
    long count = c->batch - n0 < images ? c->batch - n0 : images;
    for (long gi = 0; gi < c->groups; gi++) {
      patches p = {c, x, cols, NULL, n0, count * ohw, gi * cg, cg, k, 1};
      gather_patches(&p, threads);
      gemm_args g = {count * ohw, opg, k, cols, k, 1, w + gi * opg, c->out_c, 1, out + n0 * ohw * c->out_c + gi * opg, c->out_c, 0,
                     bias ? bias + gi * opg : NULL, relu};
      gemm(&g, threads);
    }
  }
}

void conv2d_backprop_input(const float *dy, const float *w, float *dx, const conv_info *c, int threads) {
  long opg = c->out_c / c->groups, cg = c->in_c / c->groups, k = c->f_h * c->f_w * cg, ohw = c->out_h * c->out_w;
  if (pointwise(c)) {
    gemm_args g = {c->batch * ohw, c->in_c, c->out_c, dy, c->out_c, 1, w, 1, c->out_c, dx, c->in_c, 0, NULL, 0};
    gemm(&g, threads);
    return;
  }
  float *cols;
  long images = chunk_images(c, k, &cols);
  for (long n0 = 0; n0 < c->batch; n0 += images) {
    long count = c->batch - n0 < images ? c->batch - n0 : images;
    for (long gi = 0; gi < c->groups; gi++) {
      gemm_args g = {count * ohw, k, opg, dy + n0 * ohw * c->out_c + gi * opg, c->out_c, 1, w + gi * opg, 1, c->out_c, cols, k, 0, NULL, 0};
      gemm(&g, threads);
      patches p = {c, NULL, cols, dx, n0, count * ohw, gi * cg, cg, k, 1};
      pool_run(col2im_task, &p, count, threads);
    }
  }
}

void conv2d_backprop_filter(const float *x, const float *dy, float *dw, const conv_info *c, int threads) {
  long opg = c->out_c / c->groups, cg = c->in_c / c->groups, k = c->f_h * c->f_w * cg, ohw = c->out_h * c->out_w;
  if (pointwise(c)) {
    gemm_args g = {c->in_c, c->out_c, c->batch * ohw, x, 1, c->in_c, dy, c->out_c, 1, dw, c->out_c, 0, NULL, 0};
    gemm(&g, threads);
    return;
  }
  float *cols;
  long images = chunk_images(c, k, &cols);
  for (long n0 = 0; n0 < c->batch; n0 += images) {
    long count = c->batch - n0 < images ? c->batch - n0 : images;
    for (long gi = 0; gi < c->groups; gi++) {
      patches p = {c, x, cols, NULL, n0, count * ohw, gi * cg, cg, k, 1};
      gather_patches(&p, threads);
      gemm_args g = {k, opg, count * ohw, cols, 1, k, dy + n0 * ohw * c->out_c + gi * opg, c->out_c, 1, dw + gi * opg, c->out_c, 1, NULL, 0};
      gemm(&g, threads);
    }
  }
}
