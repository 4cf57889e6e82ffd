/*
 * Resizing a float32 gray image, step for step as tensile's backend/resample.ts specifies (the
 * reference backend's kernel), so the pixels are its bits: every source row resampled along x with
 * float64 sums stored as float32, then every output row summed along y in float32, each `acc + w·v`
 * done in float64; for 8-bit output the accumulator starts at ½ and the result is truncated modulo
 * 256. The two passes split their rows across threads; vectors run across pixels, never across the
 * terms of one sum.
 */
#include "resize_gray.h"

#include <math.h>
#include <stdint.h>

#include "pool.h"
#include "scratch.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CLONES
#endif

/* Below this many resampled values (source rows × output width) one thread is faster than waking the others. */
#define PARALLEL_MIN (1L << 16)

typedef struct {
  const float *image;
  float *rows, *out;
  long height, width, out_height, out_width, tasks;
  const resample_taps *x, *y;
  int uint8;
} resize_job;

static void range_of(long n, long tasks, long t, long *start, long *end) {
  long per = (n + tasks - 1) / tasks;
  *start = t * per < n ? t * per : n;
  *end = *start + per < n ? *start + per : n;
}

/* Pass 1: source rows along x. */
static void rows_task(void *ctx, long t) {
  const resize_job *j = ctx;
  const resample_taps *x = j->x;
  long y0, y1;
  range_of(j->height, j->tasks, t, &y0, &y1);
  for (long y = y0; y < y1; y++) {
    const float *line = j->image + y * j->width;
    float *out = j->rows + y * j->out_width;
    for (long i = 0; i < j->out_width; i++) {
      const float *from = line + x->start[i], *w = x->weight + i * x->max_taps;
      double sum = 0;
      for (int k = 0; k < x->count[i]; k++) sum += (double)w[k] * from[k];
      out[i] = (float)sum;
    }
  }
}

/* acc = float32(acc + w·row) per pixel, in float64. */
CLONES static void accumulate(float *restrict acc, const float *restrict row, double w, long n) {
  for (long i = 0; i < n; i++) acc[i] = (float)((double)acc[i] + w * row[i]);
}

/* A Uint8Array's store of a float: truncated toward zero, modulo 256 (NaN and infinities to 0). */
static float to_uint8(float v) { return isfinite(v) && fabsf(v) < 0x1p62f ? (float)((int64_t)v & 255) : 0; }

/* Pass 2: output rows along y. */
static void columns_task(void *ctx, long t) {
  const resize_job *j = ctx;
  const resample_taps *y = j->y;
  long n = j->out_width, r0, r1;
  range_of(j->out_height, j->tasks, t, &r0, &r1);
  for (long r = r0; r < r1; r++) {
    float *out = j->out + r * n;
    for (long i = 0; i < n; i++) out[i] = j->uint8 ? 0.5f : 0;
    for (int k = 0; k < y->count[r]; k++) accumulate(out, j->rows + (y->start[r] + k) * n, y->weight[r * y->max_taps + k], n);
    if (j->uint8)
      for (long i = 0; i < n; i++) out[i] = to_uint8(out[i]);
  }
}

int resize_gray_f32(const float *image, long height, long width, float *out, long out_height, long out_width, const resample_taps *x,
                    const resample_taps *y, int uint8, int threads) {
  float *rows = thread_scratch(SCRATCH_SHARED, (size_t)(height * out_width) * sizeof(float));
  if (!rows) return -1;
  resize_job j = {image, rows, out, height, width, out_height, out_width, height * out_width >= PARALLEL_MIN && threads > 1 ? threads : 1, x, y, uint8};
  pool_run(rows_task, &j, j.tasks, threads);
  pool_run(columns_task, &j, j.tasks, threads);
  return 0;
}
