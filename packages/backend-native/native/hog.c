/*
 * HOG features (Felzenszwalb's 31 per cell) of a float32 [height, width] image, as the reference
 * backend's backends/reference/hog.ts specifies, in float32 arithmetic and the WASM kernel's
 * formulation (tensile's asm/hog.ts): two phases over bands of cell rows, a task each — histograms
 * and energies, then the features (a band's blocks read the energies of the rows around it). Per
 * pixel row, the gradients, bins and x-weighted votes of all its pixels are computed in one loop
 * that vectorises, summed in pixel order into a row histogram over the cell columns, which then goes
 * to the two cell rows around the pixel row with its y factors. Every histogram entry adds its pixel
 * rows in order whichever band computes it, so the features do not depend on the thread count.
 * Histograms are kept orientation by orientation ([cellsY][18][cellsX]) and each row's features are
 * computed feature by feature, so the per-cell arithmetic vectorises across the cells of a row; each
 * value still adds its terms in the reference's order.
 */
#include "hog.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "clones.h"
#include "pool.h"
#include "scratch.h"

#define ORIENTATIONS 18
#define FEATURES 31
/* Row histogram cells beyond the grid: one left of it (index 0 is cell −1), two right (a vote reaches cellsX + 1). */
#define ROW_CELLS_EXTRA 3
/* Below this many pixels a HOG map is computed on the calling thread alone. */
#define PARALLEL_MIN_PIXELS (1L << 16)

static const float EPSILON = 1e-4f, TRUNCATE = 0.2f, TEXTURE_WEIGHT = 0.2357f;

/* Unit directions of the 9 unsigned orientations (o·20°), mirrored entries equal as in the reference. */
static const float COS[9] = {1.0f, 0.9396926f, 0.7660444f, 0.5f, 0.17364818f, -0.17364818f, -0.5f, -0.7660444f, -0.9396926f};
static const float SIN[9] = {0.0f, 0.34202015f, 0.64278764f, 0.8660254f, 0.9848077f, 0.9848077f, 0.8660254f, 0.64278764f, 0.34202015f};

typedef struct {
  const float *image;
  long height, width, cell, cells_y, cells_x, tasks;
  float *hist, *energy, *out;
} hog_job;

static long min_l(long a, long b) { return a < b ? a : b; }
static long max_l(long a, long b) { return a > b ? a : b; }

/*
 * The reference's search for the orientation, branch-free so that it vectorises: with best ≥ 0,
 * `dot > best` or `−dot > best` is |dot| > best, and the sign of the winning dot picks o or o + 9.
 */
static inline int orientation(float dx, float dy) {
  float best = 0;
  int bin = 0;
#pragma GCC unroll 9
  for (int o = 0; o < 9; o++) {
    float dot = COS[o] * dx + SIN[o] * dy, size = fabsf(dot);
    int wins = size > best;
    bin = wins ? (dot < 0 ? o + 9 : o) : bin;
    best = wins ? size : best;
  }
  return bin;
}

/* Pixel x's bin and votes from its gradient (a pixel with no gradient votes +0, as skipping it would leave the histogram). */
static inline void vote(float dx, float dy, long x, const float *restrict fx, const float *restrict gx, int *restrict bins, float *restrict left,
                        float *restrict right) {
  float magnitude = sqrtf(dx * dx + dy * dy);
  bins[x] = orientation(dx, dy);
  left[x] = magnitude * gx[x];
  right[x] = magnitude * fx[x];
}

/* Bins and votes of every pixel of a row; the interior without the edge's clamping, so it vectorises. */
CLONES static void pixel_row(const float *restrict row, const float *restrict up, const float *restrict down, long width, const float *restrict fx,
                             const float *restrict gx, int *restrict bins, float *restrict left, float *restrict right) {
  vote(row[min_l(1, width - 1)] - row[0], down[0] - up[0], 0, fx, gx, bins, left, right);
  for (long x = 1; x < width - 1; x++) vote(row[x + 1] - row[x - 1], down[x] - up[x], x, fx, gx, bins, left, right);
  if (width > 1) vote(row[width - 1] - row[width - 2], down[width - 1] - up[width - 1], width - 1, fx, gx, bins, left, right);
}

/* A cell row's histograms += the row histogram's grid cells · factor, orientation by orientation. */
CLONES static void add_scaled(float *restrict cells, const float *restrict row_hist, long row_stride, float factor, long cells_x) {
  for (int o = 0; o < ORIENTATIONS; o++)
    for (long cx = 0; cx < cells_x; cx++) cells[o * cells_x + cx] += row_hist[o * row_stride + cx] * factor;
}

/* Energies of a cell row: Σ over the 9 unsigned orientations of (h[o] + h[o+9])², in orientation order. */
CLONES static void energies(const float *restrict h, float *restrict energy, long cells_x) {
  for (long cx = 0; cx < cells_x; cx++) energy[cx] = 0;
  for (int o = 0; o < 9; o++)
    for (long cx = 0; cx < cells_x; cx++) {
      float v = h[o * cells_x + cx] + h[(o + 9) * cells_x + cx];
      energy[cx] += v * v;
    }
}

/* Cell and fraction of a pixel coordinate along one axis: pixel centres against cell centres. */
static long cell_of(long pixel, long cell, double *fraction) {
  double p = (pixel + 0.5) / cell - 0.5, c = floor(p);
  *fraction = p - c;
  return (long)c;
}

/* Phase 1 of a band of cell rows: their histograms, from the pixel rows that vote into them, and energies. */
static void histogram_task(void *ctx, long t) {
  const hog_job *j = ctx;
  long r0, r1;
  pool_share(j->cells_y, j->tasks, t, &r0, &r1);
  if (r0 >= r1) return;
  long width = j->width, cells_x = j->cells_x, row_floats = cells_x * ORIENTATIONS;
  /* The row histogram, [18][cellsX + 3]: cell cx at cx + 1. */
  long row_stride = cells_x + ROW_CELLS_EXTRA, hist_floats = ORIENTATIONS * row_stride;
  /* Per column its left cell and bilinear x factors; per pixel of the current row its bin and its votes for the cells left and right of it. */
  long *cx = thread_scratch(SCRATCH_TASK, (size_t)width * (sizeof(long) + 4 * sizeof(float) + sizeof(int)) + (size_t)hist_floats * sizeof(float));
  if (!cx) abort();
  float *fx = (float *)(cx + width), *gx = fx + width, *left = gx + width, *right = left + width, *row_hist = right + width;
  int *bins = (int *)(row_hist + hist_floats);
  for (long x = 0; x < width; x++) {
    double f;
    cx[x] = cell_of(x, j->cell, &f);
    fx[x] = (float)f;
    gx[x] = (float)(1 - f);
  }
  float *hist = j->hist;
  memset(hist + r0 * row_floats, 0, (size_t)((r1 - r0) * row_floats) * sizeof(float));
  /* Pixel rows above (r0 − 1)·cell or from (r1 + 1)·cell on vote into no cell of the band. */
  long y_end = min_l(j->height, (r1 + 1) * j->cell);
  for (long y = max_l(0, (r0 - 1) * j->cell); y < y_end; y++) {
    const float *row = j->image + y * width;
    pixel_row(row, j->image + max_l(y - 1, 0) * width, j->image + min_l(y + 1, j->height - 1) * width, width, fx, gx, bins, left, right);
    memset(row_hist, 0, (size_t)hist_floats * sizeof(float));
    for (long x = 0; x < width; x++) {
      float *a = row_hist + bins[x] * row_stride + cx[x] + 1;
      a[0] += left[x];
      a[1] += right[x];
    }
    double fy;
    long cy = cell_of(y, j->cell, &fy);
    if (cy >= r0 && cy < r1) add_scaled(hist + cy * row_floats, row_hist + 1, row_stride, (float)(1 - fy), cells_x);
    if (cy + 1 >= r0 && cy + 1 < r1) add_scaled(hist + (cy + 1) * row_floats, row_hist + 1, row_stride, (float)fy, cells_x);
  }
  for (long cy = r0; cy < r1; cy++) energies(hist + cy * row_floats, j->energy + cy * cells_x, cells_x);
}

static float energy_at(const hog_job *j, long cy, long cx) {
  return j->energy[min_l(max_l(cy, 0), j->cells_y - 1) * j->cells_x + min_l(max_l(cx, 0), j->cells_x - 1)];
}

/* min(v, 0.2), NaN kept as Math.min keeps it. */
static inline float truncated(float v) { return v > TRUNCATE ? TRUNCATE : v; }

/*
 * The features of a cell row, [31][cellsX] into `features`, from its histograms h ([18][cellsX]) and
 * the factors of the blocks above and below its cells' corners (cell cx reads above[cx], above[cx + 1],
 * below[cx], below[cx + 1]: the blocks whose bottom-right, bottom-left, top-right and top-left cell it is).
 */
CLONES static void feature_row(const float *restrict h, const float *restrict above, const float *restrict below, long cells_x, float *restrict features) {
  float *t0 = features + 27 * cells_x, *t1 = t0 + cells_x, *t2 = t1 + cells_x, *t3 = t2 + cells_x;
  for (long cx = 0; cx < 4 * cells_x; cx++) t0[cx] = 0;
  for (int o = 0; o < ORIENTATIONS; o++)
    for (long cx = 0; cx < cells_x; cx++) {
      float v = h[o * cells_x + cx];
      float a0 = truncated(v * above[cx]), a1 = truncated(v * above[cx + 1]), a2 = truncated(v * below[cx]), a3 = truncated(v * below[cx + 1]);
      features[o * cells_x + cx] = 0.5f * (a0 + a1 + a2 + a3);
      t0[cx] += a0;
      t1[cx] += a1;
      t2[cx] += a2;
      t3[cx] += a3;
    }
  for (int o = 0; o < 9; o++)
    for (long cx = 0; cx < cells_x; cx++) {
      float v = h[o * cells_x + cx] + h[(o + 9) * cells_x + cx];
      float sum = truncated(v * above[cx]) + truncated(v * above[cx + 1]) + truncated(v * below[cx]) + truncated(v * below[cx + 1]);
      features[(ORIENTATIONS + o) * cells_x + cx] = 0.5f * sum;
    }
  for (long cx = 0; cx < 4 * cells_x; cx++) t0[cx] *= TEXTURE_WEIGHT;
}

/* Phase 2 of a band, once every band's phase 1 is done: the block factors of its cells, each computed once, then the features. */
static void feature_task(void *ctx, long t) {
  const hog_job *j = ctx;
  long r0, r1;
  pool_share(j->cells_y, j->tasks, t, &r0, &r1);
  if (r0 >= r1) return;
  long cells_x = j->cells_x, stride = cells_x + 1;
  /* The block with top-left cell (top, left), top ∈ [r0 − 1, r1), left ∈ [−1, cellsX), at (top + 1 − r0)·stride + left + 1; then a row's features. */
  float *blocks = thread_scratch(SCRATCH_TASK, (size_t)((r1 - r0 + 1) * stride + FEATURES * cells_x) * sizeof(float));
  if (!blocks) abort();
  float *features = blocks + (r1 - r0 + 1) * stride;
  for (long top = r0 - 1; top < r1; top++)
    for (long left = -1; left < cells_x; left++) {
      float sum = energy_at(j, top, left) + energy_at(j, top, left + 1) + energy_at(j, top + 1, left) + energy_at(j, top + 1, left + 1);
      blocks[(top + 1 - r0) * stride + left + 1] = 1 / sqrtf(sum + EPSILON);
    }
  for (long cy = r0; cy < r1; cy++) {
    const float *above = blocks + (cy - r0) * stride;
    feature_row(j->hist + cy * cells_x * ORIENTATIONS, above, above + stride, cells_x, features);
    float *out = j->out + cy * cells_x * FEATURES;
    for (long cx = 0; cx < cells_x; cx++)
      for (int f = 0; f < FEATURES; f++) out[cx * FEATURES + f] = features[f * cells_x + cx];
  }
}

int hog_f32(const float *image, long height, long width, long cell, float *out, int threads) {
  long cells_y = height / cell, cells_x = width / cell, cells = cells_y * cells_x;
  if (cells <= 0) return 0;
  hog_job j = {image, height, width, cell, cells_y, cells_x, height * width >= PARALLEL_MIN_PIXELS && threads > 1 ? min_l(threads, cells_y) : 1, NULL, NULL, out};
  j.hist = thread_scratch(SCRATCH_SHARED, (size_t)cells * (ORIENTATIONS + 1) * sizeof(float));
  if (!j.hist) return -1;
  j.energy = j.hist + cells * ORIENTATIONS;
  pool_run(histogram_task, &j, j.tasks, threads);
  pool_run(feature_task, &j, j.tasks, threads);
  return 0;
}
