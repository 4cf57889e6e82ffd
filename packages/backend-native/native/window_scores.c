/*
 * Sliding-window scores, as tensile's backends/reference/window-scores.ts specifies them: out[y, x] =
 * Σ over the window's rows a, columns dx and channels c of weights[a, dx, c] · map[y + a, x + dx, c].
 * The map is first laid out channel by channel, so that each weight scales a contiguous run of one
 * channel plane into a whole output row: a loop over positions that vectorises with no reassociation
 * (each score adds its terms in (a, dx, c) order, in float32, as the WASM kernel's do). Output rows
 * are split across threads.
 */
#include "window_scores.h"

#include <string.h>

#include "clones.h"
#include "pool.h"
#include "scratch.h"

/* Below this many multiply-adds one thread is faster than waking the others. */
#define PARALLEL_MIN (1L << 16)

/* Terms of a score summed per pass over an output row. */
#define TERMS 8

typedef struct {
  const float *planes, *weights;
  /* Per term of a window row (dx·channels + c): where its values start in the planes, from the row's start. */
  const long *offsets;
  float *out;
  long map_width, row_terms, window_height, positions_y, positions_x, tasks;
} scores_job;

/* Output row y: every position's score, summed term by term across the row, TERMS terms per pass over it (the same adds, in order). */
CLONES static void score_row(const scores_job *j, long y) {
  long n = j->positions_x, terms = j->row_terms;
  float *restrict row = j->out + y * n;
  memset(row, 0, (size_t)n * sizeof(float));
  for (long a = 0; a < j->window_height; a++) {
    const float *base = j->planes + (y + a) * j->map_width, *w = j->weights + a * terms;
    const long *at = j->offsets;
    long k = 0;
    for (; k + TERMS <= terms; k += TERMS) {
      const float *restrict p0 = base + at[k], *restrict p1 = base + at[k + 1], *restrict p2 = base + at[k + 2], *restrict p3 = base + at[k + 3];
      const float *restrict p4 = base + at[k + 4], *restrict p5 = base + at[k + 5], *restrict p6 = base + at[k + 6], *restrict p7 = base + at[k + 7];
      float w0 = w[k], w1 = w[k + 1], w2 = w[k + 2], w3 = w[k + 3], w4 = w[k + 4], w5 = w[k + 5], w6 = w[k + 6], w7 = w[k + 7];
      for (long x = 0; x < n; x++)
        row[x] = row[x] + w0 * p0[x] + w1 * p1[x] + w2 * p2[x] + w3 * p3[x] + w4 * p4[x] + w5 * p5[x] + w6 * p6[x] + w7 * p7[x];
    }
    for (; k < terms; k++) {
      const float *restrict p = base + at[k];
      float weight = w[k];
      for (long x = 0; x < n; x++) row[x] += weight * p[x];
    }
  }
}

static void scores_task(void *ctx, long t) {
  const scores_job *j = ctx;
  long y0, y1;
  pool_share(j->positions_y, j->tasks, t, &y0, &y1);
  for (long y = y0; y < y1; y++) score_row(j, y);
}

int window_scores_f32(const float *map, long map_height, long map_width, long channels, const float *weights, long window_height,
                      long window_width, float *out, int threads) {
  long positions_y = map_height - window_height + 1, positions_x = map_width - window_width + 1, pixels = map_height * map_width;
  long row_terms = window_width * channels;
  if (positions_y <= 0 || positions_x <= 0) return 0;
  long *offsets = thread_scratch(SCRATCH_SHARED, (size_t)row_terms * sizeof(long) + (size_t)(pixels * channels) * sizeof(float));
  if (!offsets) return -1;
  float *planes = (float *)(offsets + row_terms);
  for (long p = 0; p < pixels; p++)
    for (long c = 0; c < channels; c++) planes[c * pixels + p] = map[p * channels + c];
  for (long dx = 0; dx < window_width; dx++)
    for (long c = 0; c < channels; c++) offsets[dx * channels + c] = c * pixels + dx;
  long work = positions_y * positions_x * window_height * row_terms;
  scores_job j = {planes, weights, offsets, out, map_width, row_terms, window_height, positions_y, positions_x, work >= PARALLEL_MIN && threads > 1 ? threads : 1};
  pool_run(scores_task, &j, j.tasks, threads);
  return 0;
}
