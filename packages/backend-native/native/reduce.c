/*
 * Reductions and pooling, following the reference backend: sums accumulate in double, NaN wins a
 * max or min, argmax/argmin and max pooling take the first extreme, padded cells never count.
 */
#include "reduce.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clones.h"
#include "pool.h"

const char *const REDUCE_OPS[] = {"sum", "prod", "max", "min", "argmax", "argmin"};
const int REDUCE_OP_COUNT = sizeof REDUCE_OPS / sizeof *REDUCE_OPS;

typedef struct {
  int op, tasks;
  const float *x;
  void *out;
  long outer, size, inner;
  double *partial; /* split reductions: [tasks, outer, inner] */
} reduce_job;

static double combine(int op, double acc, double v) {
  switch (op) {
    case 0: return acc + v;
    case 1: return acc * v;
    case 2: return v > acc || isnan(v) ? v : acc;
    default: return v < acc || isnan(v) ? v : acc;
  }
}

/*
 * acc[i] += row r's x[i] for `rows` rows of `inner` values: the column sums of a bias gradient. Each
 * column's sum adds in row order at any vector width (the same bits), so the loop is compiled for
 * the widest vectors the CPU has (clones picked at load).
 */
CLONES
static void sum_rows(double *restrict acc, const float *restrict x, long rows, long inner) {
  for (long r = 0; r < rows; r++)
    for (long i = 0; i < inner; i++) acc[i] += x[r * inner + i];
}

static void reduce_task(void *ctx, long t) {
  const reduce_job *j = ctx;
  long o0, o1;
  pool_share(j->outer, j->tasks, t, &o0, &o1);
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
    if (j->op == 0) sum_rows(acc, base, j->size, j->inner);
    else
      for (long r = 0; r < j->size; r++) {
        const float *row = base + r * j->inner;
        for (long i = 0; i < j->inner; i++) acc[i] = combine(j->op, acc[i], row[i]);
      }
    for (long i = 0; i < j->inner; i++) out[i] = (float)acc[i];
    free(acc);
  }
}

/* Task t of a split reduction: its share of the reduced axis, for every outer index, into its partials. */
static void reduce_part_task(void *ctx, long t) {
  const reduce_job *j = ctx;
  long r0, r1;
  pool_share(j->size, j->tasks, t, &r0, &r1);
  double init = j->op == 0 ? 0 : j->op == 1 ? 1 : j->op == 2 ? -INFINITY : INFINITY;
  for (long o = 0; o < j->outer; o++) {
    double *acc = j->partial + (t * j->outer + o) * j->inner;
    for (long i = 0; i < j->inner; i++) acc[i] = init;
    if (j->op == 0) sum_rows(acc, j->x + (o * j->size + r0) * j->inner, r1 - r0, j->inner);
    else
      for (long r = r0; r < r1; r++) {
        const float *row = j->x + (o * j->size + r) * j->inner;
        for (long i = 0; i < j->inner; i++) acc[i] = combine(j->op, acc[i], row[i]);
      }
  }
}

void reduce_f32(int op, const float *x, void *out, long outer, long size, long inner, int threads) {
  reduce_job j = {op, 1, x, out, outer, size, inner, NULL};
  long total = outer * size * inner;
  if (threads > 1 && total >= 32768 && outer >= threads) j.tasks = threads;
  /* Too few outer indices to go round (a bias gradient sums a whole batch into one row): split the reduced axis instead. */
  if (threads > 1 && total >= 32768 && outer < threads && op < 4 && size >= threads) {
    j.tasks = threads;
    j.partial = malloc((size_t)(threads * outer * inner) * sizeof(double));
    if (!j.partial) abort();
    pool_run(reduce_part_task, &j, j.tasks, threads);
    float *o = out;
    for (long i = 0; i < outer * inner; i++) {
      double acc = j.partial[i];
      for (long t = 1; t < j.tasks; t++) acc = combine(op, acc, j.partial[t * outer * inner + i]);
      o[i] = (float)acc;
    }
    free(j.partial);
    return;
  }
  pool_run(reduce_task, &j, j.tasks, threads);
}

typedef struct {
  int max; /* 0: average, 1: max, 2: max, its gradient masked by the ReLU whose output x is */
  const float *x, *dy;
  float *out;
  const pool_info *p;
} pool_job;

/* Channels per pass of an average window loop: the per-channel sums stay on the stack. */
#define CHANNEL_BLOCK 256
/* Channels per pass of a max window loop: a whole number of vectors at any width. */
#define LANES 16

/*
 * Channels c0 … c0 + cn of one max window: the first maximum wins and NaN beats any number (as in
 * max); backward, the window's gradient goes to that cell. Inlined with cn = LANES for whole
 * blocks, so its loops have a fixed length and vectorise into whole registers.
 */
static inline __attribute__((always_inline)) void max_window(const pool_job *j, const float *img, float *dimg, long o, long y0, long y1, long x0,
                                                             long x1, long c0, long cn) {
  const pool_info *p = j->p;
  long C = p->channels;
  float best[LANES];
  int32_t at[LANES]; /* 32-bit like the values, so the selects vectorise */
  int32_t first = (int32_t)((y0 * p->in_w + x0) * C + c0);
  for (int32_t c = 0; c < cn; c++) {
    best[c] = img[first + c];
    at[c] = first + c;
  }
  for (long iy = y0; iy < y1; iy++)
    for (long ix = x0; ix < x1; ix++) {
      int32_t cell = (int32_t)((iy * p->in_w + ix) * C + c0);
      const float *v = img + cell;
      _Pragma("GCC unroll 1") for (int32_t c = 0; c < cn; c++) {
        float x = v[c], b = best[c];
        int take = (x > b) | ((x != x) & (b == b));
        best[c] = take ? x : b;
        at[c] = take ? cell + c : at[c];
      }
    }
  if (!dimg) {
    for (long c = 0; c < cn; c++) j->out[o + c0 + c] = best[c];
    return;
  }
  /* Masked by the gradient of the ReLU whose output x is (max = 2): at its maximum cell, x is best. */
  float g[LANES];
  for (long c = 0; c < cn; c++) g[c] = j->max == 2 && !(best[c] > 0) ? 0 : j->dy[o + c0 + c];
  for (long iy = y0; iy < y1; iy++)
    for (long ix = x0; ix < x1; ix++) {
      int32_t cell = (int32_t)((iy * p->in_w + ix) * C + c0);
      float *d = dimg + cell;
      /* Selects rather than a scatter, so this vectorises too. */
      _Pragma("GCC unroll 1") for (int32_t c = 0; c < cn; c++) d[c] = at[c] == cell + c ? d[c] + g[c] : d[c];
    }
}

/*
 * One image per task, so backward passes never write one cell from two threads; a backward task
 * zeroes its image of dx first (while it is in cache, rather than a pass over the whole tensor
 * before the kernel). Window cells are the outer loop and channels the inner one, so the loops
 * vectorise across channels, at the widest vectors the CPU has.
 */
CLONES
static void pool_task(void *ctx, long n) {
  const pool_job *j = ctx;
  const pool_info *p = j->p;
  long C = p->channels;
  const float *img = j->x + n * p->in_h * p->in_w * C;
  float *dimg = j->dy ? j->out + n * p->in_h * p->in_w * C : NULL;
  if (dimg) memset(dimg, 0, (size_t)(p->in_h * p->in_w * C) * sizeof(float));
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
      if (cells <= 0) {
        if (!dimg) memset(j->out + o, 0, (size_t)C * sizeof(float)); /* an all-padding window pools to 0 */
        continue;
      }
      if (j->max) {
        long c0 = 0;
        for (; c0 + LANES <= C; c0 += LANES) max_window(j, img, dimg, o, y0, y1, x0, x1, c0, LANES);
        if (c0 < C) max_window(j, img, dimg, o, y0, y1, x0, x1, c0, C - c0);
        continue;
      }
      for (long c0 = 0; c0 < C; c0 += CHANNEL_BLOCK) {
        long cn = C - c0 < CHANNEL_BLOCK ? C - c0 : CHANNEL_BLOCK;
        if (dimg) {
          for (long iy = y0; iy < y1; iy++)
            for (long ix = x0; ix < x1; ix++) {
              float *d = dimg + (iy * p->in_w + ix) * C + c0;
              for (long c = 0; c < cn; c++) d[c] += (float)((double)j->dy[o + c0 + c] / cells);
            }
        } else {
          double sum[CHANNEL_BLOCK] = {0};
          for (long iy = y0; iy < y1; iy++)
            for (long ix = x0; ix < x1; ix++) {
              const float *v = img + (iy * p->in_w + ix) * C + c0;
              for (long c = 0; c < cn; c++) sum[c] += v[c];
            }
          for (long c = 0; c < cn; c++) j->out[o + c0 + c] = (float)(sum[c] / cells);
        }
      }
    }
  }
}

void pool2d_f32(int max, const float *x, float *out, const pool_info *p, int threads) {
  pool_job j = {max, x, NULL, out, p};
  pool_run(pool_task, &j, p->batch, threads);
}

void pool2d_backward_f32(int max, const float *dy, const float *x, float *dx, const pool_info *p, int threads) {
  pool_job j = {max, x, dy, dx, p};
  pool_run(pool_task, &j, p->batch, threads);
}
