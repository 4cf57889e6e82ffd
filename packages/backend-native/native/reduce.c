/*
 * Reductions and pooling, following the reference backend: sums accumulate in double, NaN wins a
 * max or min, argmax/argmin and max pooling take the first extreme, padded cells never count.
 */
#include "reduce.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "pool.h"

const char *const REDUCE_OPS[] = {"sum", "prod", "max", "min", "argmax", "argmin"};
const int REDUCE_OP_COUNT = sizeof REDUCE_OPS / sizeof *REDUCE_OPS;

typedef struct {
  int op, tasks;
  const float *x;
  void *out;
  long outer, size, inner;
} reduce_job;

static double combine(int op, double acc, double v) {
  switch (op) {
    case 0: return acc + v;
    case 1: return acc * v;
    case 2: return v > acc || isnan(v) ? v : acc;
    default: return v < acc || isnan(v) ? v : acc;
  }
}

static void reduce_task(void *ctx, long t) {
  const reduce_job *j = ctx;
  long per = (j->outer + j->tasks - 1) / j->tasks, o0 = t * per, o1 = o0 + per < j->outer ? o0 + per : j->outer;
  double init = j->op == 0 ? 0 : j->op == 1 ? 1 : j->op == 2 ? -INFINITY : INFINITY;
  for (long o = o0; o < o1; o++) {
    const float *base = j->x + o * j->size * j->inner;
    if (j->op >= 4) {
      int32_t *out = (int32_t *)j->out + o * j->inner;
      for (long i = 0; i < j->inner; i++) {
        float best = base[i];
        long at = 0;
        for (long r = 1; r < j->size && !isnan(best); r++) {
          float v = base[r * j->inner + i];
          if ((j->op == 4 ? v > best : v < best) || isnan(v)) {
            best = v;
            at = r;
          }
        }
        out[i] = (int32_t)at;
      }
      continue;
    }
    float *out = (float *)j->out + o * j->inner;
    if (j->inner == 1) {
      double acc = init;
      if (j->op == 0)
        for (long r = 0; r < j->size; r++) acc += base[r];
      else
        for (long r = 0; r < j->size; r++) acc = combine(j->op, acc, base[r]);
      out[0] = (float)acc;
      continue;
    }
    double *acc = malloc((size_t)j->inner * sizeof(double));
    if (!acc) abort();
    for (long i = 0; i < j->inner; i++) acc[i] = init;
    for (long r = 0; r < j->size; r++) {
      const float *row = base + r * j->inner;
      if (j->op == 0)
        for (long i = 0; i < j->inner; i++) acc[i] += row[i];
      else
        for (long i = 0; i < j->inner; i++) acc[i] = combine(j->op, acc[i], row[i]);
    }
    for (long i = 0; i < j->inner; i++) out[i] = (float)acc[i];
    free(acc);
  }
}

void reduce_f32(int op, const float *x, void *out, long outer, long size, long inner, int threads) {
  reduce_job j = {op, 1, x, out, outer, size, inner};
  if (threads > 1 && outer >= threads && outer * size * inner >= 32768) j.tasks = threads;
  pool_run(reduce_task, &j, j.tasks, threads);
}

typedef struct {
  int max, tasks;
  const float *x, *dy;
  float *out;
  const pool_info *p;
} pool_job;

/* Tasks own whole images, so backward passes never write one cell from two threads. */
static void pool_task(void *ctx, long n) {
  const pool_job *j = ctx;
  const pool_info *p = j->p;
  long C = p->channels;
  for (long oy = 0; oy < p->out_h; oy++) {
    long y0 = oy * p->stride_h - p->pad_top, y1 = y0 + p->f_h;
    if (y0 < 0) y0 = 0;
    if (y1 > p->in_h) y1 = p->in_h;
    for (long ox = 0; ox < p->out_w; ox++) {
      long x0 = ox * p->stride_w - p->pad_left, x1 = x0 + p->f_w;
      if (x0 < 0) x0 = 0;
      if (x1 > p->in_w) x1 = p->in_w;
      long o = ((n * p->out_h + oy) * p->out_w + ox) * C;
      long cells = (y1 - y0) * (x1 - x0);
      if (cells <= 0) continue;
      for (long c = 0; c < C; c++) {
        const float *img = j->x + n * p->in_h * p->in_w * C + c;
        if (j->max) {
          long best = (y0 * p->in_w + x0) * C;
          for (long iy = y0; iy < y1; iy++)
            for (long ix = x0; ix < x1; ix++) {
              long at = (iy * p->in_w + ix) * C;
              if (img[at] > img[best] || (isnan(img[at]) && !isnan(img[best]))) best = at;
            }
          if (j->dy) j->out[n * p->in_h * p->in_w * C + c + best] += j->dy[o + c];
          else j->out[o + c] = img[best];
        } else if (j->dy) {
          float g = (float)((double)j->dy[o + c] / cells);
          for (long iy = y0; iy < y1; iy++)
            for (long ix = x0; ix < x1; ix++) j->out[n * p->in_h * p->in_w * C + c + (iy * p->in_w + ix) * C] += g;
        } else {
          double s = 0;
          for (long iy = y0; iy < y1; iy++)
            for (long ix = x0; ix < x1; ix++) s += img[(iy * p->in_w + ix) * C];
          j->out[o + c] = (float)(s / cells);
        }
      }
    }
  }
}

void pool2d_f32(int max, const float *x, float *out, const pool_info *p, int threads) {
  pool_job j = {max, 1, x, NULL, out, p};
  pool_run(pool_task, &j, p->batch, threads);
}

void pool2d_backward_f32(int max, const float *dy, const float *x, float *dx, const pool_info *p, int threads) {
  pool_job j = {max, 1, x, dy, dx, p};
  pool_run(pool_task, &j, p->batch, threads);
}
