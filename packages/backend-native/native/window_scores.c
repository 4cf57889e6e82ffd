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

#include "pool.h"
#include "scratch.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CLONES
#endif

/* Below this many multiply-adds one thread is faster than waking the others. */
#define PARALLEL_MIN (1L << 16)

typedef struct {
  const float *planes, *weights;
  float *out;
  long map_height, map_width, channels, window_height, window_width, positions_y, positions_x, tasks;
} scores_job;

/* Output row y: every position's score, summed term by term across the row, four channels per pass over it (the same adds, in order). */
CLONES static void score_row(const scores_job *j, long y) {
  long n = j->positions_x, plane = j->map_height * j->map_width, channels = j->channels;
  float *restrict row = j->out + y * n;
  memset(row, 0, (size_t)n * sizeof(float));
  for (long a = 0; a < j->window_height; a++)
    for (long dx = 0; dx < j->window_width; dx++) {
      const float *from = j->planes + (y + a) * j->map_width + dx, *w = j->weights + (a * j->window_width + dx) * channels;
      long c = 0;
      for (; c + 4 <= channels; c += 4) {
        const float *restrict p0 = from + c * plane, *restrict p1 = p0 + plane, *restrict p2 = p1 + plane, *restrict p3 = p2 + plane;
        float w0 = w[c], w1 = w[c + 1], w2 = w[c + 2], w3 = w[c + 3];
        for (long x = 0; x < n; x++) row[x] = row[x] + w0 * p0[x] + w1 * p1[x] + w2 * p2[x] + w3 * p3[x];
      }
      for (; c < channels; c++) {
        const float *restrict p = from + c * plane;
        float weight = w[c];
        for (long x = 0; x < n; x++) row[x] += weight * p[x];
      }
    }
}

static void scores_task(void *ctx, long t) {
  const scores_job *j = ctx;
  long per = (j->positions_y + j->tasks - 1) / j->tasks, y0 = t * per;
  for (long y = y0; y < y0 + per && y < j->positions_y; y++) score_row(j, y);
}

int window_scores_f32(const float *map, long map_height, long map_width, long channels, const float *weights, long window_height,
                      long window_width, float *out, int threads) {
  long positions_y = map_height - window_height + 1, positions_x = map_width - window_width + 1, pixels = map_height * map_width;
  if (positions_y <= 0 || positions_x <= 0) return 0;
  float *planes = thread_scratch(SCRATCH_SHARED, (size_t)(pixels * channels) * sizeof(float));
  if (!planes) return -1;
  for (long p = 0; p < pixels; p++)
    for (long c = 0; c < channels; c++) planes[c * pixels + p] = map[p * channels + c];
  long work = positions_y * positions_x * window_height * window_width * channels;
  scores_job j = {planes, weights, out, map_height, map_width, channels, window_height, window_width, positions_y, positions_x,
                  work >= PARALLEL_MIN && threads > 1 ? threads : 1};
  pool_run(scores_task, &j, j.tasks, threads);
  return 0;
}
