/*
 * Resizing a float32 gray image, step for step as tensile's backend/resample.ts specifies (the
 * reference backend's kernel), so the pixels are its bits: every source row resampled along x with
 * float64 sums stored as float32, then every output row summed along y in float32, each `acc + w·v`
 * done in float64; for 8-bit output the accumulator starts at ½ and the result is truncated modulo
 * 256. The two passes split their rows across threads; vectors run across rows or pixels, never
 * across the terms of one sum.
 */
#include "resize_gray.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "clones.h"
#include "pool.h"
#include "scratch.h"

/* Below this many resampled values (source rows × output width) one thread is faster than waking the others. */
#define PARALLEL_MIN (1L << 16)
/* Source rows resampled together along x. */
#define ROW_BLOCK 8

typedef struct {
  const float *image;
  float *rows, *out;
  long height, width, out_height, out_width, tasks;
  const resample_taps *x, *y;
  int uint8;
} resize_job;

/*
 * Pass 1 over a block of ROW_BLOCK source rows, laid out pixel by pixel (block[x·ROW_BLOCK + r]), so
 * that one tap's weight scales the block's rows at once, each row's sum in float64 over its taps in
 * order; the first `rows` sums go to those rows of `out` (out_width floats apart).
 */
CLONES static void resample_block(const float *restrict block, const resample_taps *x, long out_width, long rows, float *restrict out) {
  for (long i = 0; i < out_width; i++) {
    const float *from = block + x->start[i] * ROW_BLOCK, *w = x->weight + i * x->max_taps;
    double acc[ROW_BLOCK] = {0};
    for (int k = 0; k < x->count[i]; k++)
      for (int r = 0; r < ROW_BLOCK; r++) acc[r] += (double)w[k] * from[k * ROW_BLOCK + r];
    for (long r = 0; r < rows; r++) out[r * out_width + i] = (float)acc[r];
  }
}

/* Pass 1: source rows along x, ROW_BLOCK at a time (a last short block repeats its last row). */
static void rows_task(void *ctx, long t) {
  const resize_job *j = ctx;
  long width = j->width, blocks = (j->height + ROW_BLOCK - 1) / ROW_BLOCK, b0, b1;
  pool_share(blocks, j->tasks, t, &b0, &b1);
  float *block = thread_scratch(SCRATCH_TASK, (size_t)(width * ROW_BLOCK) * sizeof(float));
  if (!block) abort();
  for (long b = b0; b < b1; b++) {
    long y = b * ROW_BLOCK, rows = j->height - y < ROW_BLOCK ? j->height - y : ROW_BLOCK;
    for (int r = 0; r < ROW_BLOCK; r++) {
      const float *line = j->image + (y + (r < rows ? r : rows - 1)) * width;
      for (long x = 0; x < width; x++) block[x * ROW_BLOCK + r] = line[x];
    }
    resample_block(block, j->x, j->out_width, rows, j->rows + y * j->out_width);
  }
}

/* acc = float32(acc + w·row) per pixel, in float64. */
CLONES static void accumulate(float *restrict acc, const float *restrict row, double w, long n) {
  for (long i = 0; i < n; i++) acc[i] = (float)((double)acc[i] + w * row[i]);
}

/* A Uint8Array's store of each value: truncated toward zero, modulo 256; NaN, infinities and every
 * value of 2³¹ or more (a multiple of 256 as a float32) to 0. */
CLONES static void to_uint8(float *restrict values, long n) {
  for (long i = 0; i < n; i++) values[i] = fabsf(values[i]) < 0x1p31f ? (float)((int32_t)values[i] & 255) : 0;
}

/* Pass 2: output rows along y. */
static void columns_task(void *ctx, long t) {
  const resize_job *j = ctx;
  const resample_taps *y = j->y;
  long n = j->out_width, r0, r1;
  pool_share(j->out_height, j->tasks, t, &r0, &r1);
  for (long r = r0; r < r1; r++) {
    float *out = j->out + r * n;
    for (long i = 0; i < n; i++) out[i] = j->uint8 ? 0.5f : 0;
    for (int k = 0; k < y->count[r]; k++) accumulate(out, j->rows + (y->start[r] + k) * n, y->weight[r * y->max_taps + k], n);
    if (j->uint8) to_uint8(out, n);
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
