/*
 * Convolutions as GEMMs. Patches (im2col) are gathered a chunk of images at a time, a chunk small
 * enough that its patches stay in the L2 cache between being gathered and being multiplied; with
 * enough chunks each thread takes whole chunks (patches and a one-thread GEMM, no barrier between
 * them), else the chunks run one after another with every thread in each step. A 1×1, stride-1,
 * unpadded convolution needs no patches at all. Each group is a column slice of the filter and the
 * output, addressed through the GEMM's strides.
 *
 * Two kinds run directly instead. A convolution with few taps per output (a single-channel image's
 * first layer): as a GEMM its inner dimension would be a handful of values, and the patches and the
 * packed operands would cost more memory traffic than the output itself. And a depthwise forward
 * pass (a channel per group), which would be one single-column GEMM per channel: it runs a vector
 * of channels at a time.
 */
#include "conv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clones.h"
#include "gemm.h"
#include "pool.h"

/* Patch scratch per chunk, in floats (512 KiB: half a core's L2 here). */
#define CHUNK_FLOATS (1L << 17)

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

/* Taps (filter cells × input channels) per output at most this many take the direct path. */
#define FEW_TAPS 16
/* Output channels per vector block of the direct path. */
#define CO_BLOCK 16

static int few_taps(const conv_info *c) { return c->groups == 1 && c->f_h * c->f_w * c->in_c <= FEW_TAPS; }

/*
 * Where the taps of one output pixel are read: in x itself when its window lies inside the image (at
 * `inside` offsets from the window's first cell), else gathered into `patch` with zeros over the
 * padding (at offsets 0, 1, 2, …).
 */
typedef struct {
  long inside[FEW_TAPS], packed[FEW_TAPS];
  float patch[FEW_TAPS];
} taps;

static void taps_init(const conv_info *c, taps *t) {
  long f = 0;
  for (long fy = 0; fy < c->f_h; fy++)
    for (long fx = 0; fx < c->f_w; fx++)
      for (long ch = 0; ch < c->in_c; ch++, f++) {
        t->inside[f] = (fy * c->dil_h * c->in_w + fx * c->dil_w) * c->in_c + ch;
        t->packed[f] = f;
      }
}

/* The taps of output pixel (n, oy, ox): the base they are read from, with *offsets set to match. */
static const float *taps_at(const conv_info *c, const float *x, long n, long oy, long ox, taps *t, const long **offsets) {
  long iy0 = oy * c->stride_h - c->pad_top, ix0 = ox * c->stride_w - c->pad_left;
  if (iy0 >= 0 && ix0 >= 0 && iy0 + (c->f_h - 1) * c->dil_h < c->in_h && ix0 + (c->f_w - 1) * c->dil_w < c->in_w) {
    *offsets = t->inside;
    return x + ((n * c->in_h + iy0) * c->in_w + ix0) * c->in_c;
  }
  float *patch = t->patch;
  for (long fy = 0; fy < c->f_h; fy++) {
    long iy = iy0 + fy * c->dil_h;
    for (long fx = 0; fx < c->f_w; fx++, patch += c->in_c) {
      long ix = ix0 + fx * c->dil_w;
      const float *src = x + ((n * c->in_h + iy) * c->in_w + ix) * c->in_c;
      int inside = iy >= 0 && iy < c->in_h && ix >= 0 && ix < c->in_w;
      for (long ch = 0; ch < c->in_c; ch++) patch[ch] = inside ? src[ch] : 0;
    }
  }
  *offsets = t->packed;
  return t->patch;
}

typedef struct {
  const conv_info *c;
  const float *x, *w, *bias, *dy;
  float *out; /* forward: the output; filter gradient: two sums per task (its partial, one image's) */
  int relu;
  long tasks;
} direct;

/* A block of output channels as one vector (one zmm, two ymm or four xmm, as the clone's ISA has); read and
 * written unaligned in place. */
typedef float block_v __attribute__((vector_size(CO_BLOCK * sizeof(float)), aligned(sizeof(float)), may_alias));
typedef int32_t mask_v __attribute__((vector_size(CO_BLOCK * sizeof(float))));

/* Output rows (image, oy) t·per … of the forward pass: each output's taps times the filter, then bias and ReLU. */
CLONES
static void direct_forward_task(void *ctx, long t) {
  const direct *d = ctx;
  const conv_info *c = d->c;
  long k = c->f_h * c->f_w * c->in_c, co = c->out_c, rows = c->batch * c->out_h;
  long r0, r1;
  pool_share(rows, d->tasks, t, &r0, &r1);
  taps tp;
  taps_init(c, &tp);
  for (long r = r0; r < r1; r++) {
    long n = r / c->out_h, oy = r % c->out_h;
    for (long ox = 0; ox < c->out_w; ox++) {
      const long *at;
      const float *v = taps_at(c, d->x, n, oy, ox, &tp, &at);
      float *o = d->out + (r * c->out_w + ox) * co;
      long j0 = 0;
      for (; j0 + CO_BLOCK <= co; j0 += CO_BLOCK) {
        block_v acc = {0};
        for (long f = 0; f < k; f++) acc += v[at[f]] * *(const block_v *)(d->w + f * co + j0);
        if (d->bias) acc += *(const block_v *)(d->bias + j0);
        /* ReLU keeping NaN: clear the lanes that are ≤ 0. */
        if (d->relu) acc = (block_v)((mask_v)acc & ~(acc <= 0));
        *(block_v *)(o + j0) = acc;
      }
      for (long j = j0; j < co; j++) {
        float acc = 0;
        for (long f = 0; f < k; f++) acc += v[at[f]] * d->w[f * co + j];
        if (d->bias) acc += d->bias[j];
        o[j] = d->relu && acc <= 0 ? 0 : acc;
      }
    }
  }
}

static int depthwise(const conv_info *c) { return c->groups == c->in_c && c->out_c == c->in_c; }

/*
 * Output rows (image, oy) t·per … of a depthwise forward pass: channel ch of each output sums its
 * window of channel ch times filter column ch (taps over the padding as zeros, as in the patches),
 * then bias and ReLU.
 */
CLONES
static void depthwise_forward_task(void *ctx, long t) {
  const direct *d = ctx;
  const conv_info *c = d->c;
  long C = c->in_c, rows = c->batch * c->out_h, blocks = C / CO_BLOCK * CO_BLOCK;
  long r0, r1;
  pool_share(rows, d->tasks, t, &r0, &r1);
  for (long r = r0; r < r1; r++) {
    long n = r / c->out_h, oy = r % c->out_h;
    for (long ox = 0; ox < c->out_w; ox++) {
      float *o = d->out + (r * c->out_w + ox) * C;
      for (long j0 = 0; j0 < C; j0 += CO_BLOCK) {
        long width = j0 < blocks ? CO_BLOCK : C - j0;
        block_v acc = {0};
        float tail[CO_BLOCK] = {0};
        for (long fy = 0; fy < c->f_h; fy++) {
          long iy = oy * c->stride_h - c->pad_top + fy * c->dil_h;
          for (long fx = 0; fx < c->f_w; fx++) {
            long ix = ox * c->stride_w - c->pad_left + fx * c->dil_w;
            int inside = iy >= 0 && iy < c->in_h && ix >= 0 && ix < c->in_w;
            const float *src = d->x + ((n * c->in_h + iy) * c->in_w + ix) * C + j0, *wf = d->w + (fy * c->f_w + fx) * C + j0;
            if (width == CO_BLOCK) acc += (inside ? *(const block_v *)src : (block_v){0}) * *(const block_v *)wf;
            else
              for (long j = 0; j < width; j++) tail[j] += (inside ? src[j] : 0) * wf[j];
          }
        }
        if (width == CO_BLOCK) *(block_v *)(o + j0) = acc;
        else
          for (long j = 0; j < width; j++) o[j0 + j] = tail[j];
      }
      for (long j = 0; j < C; j++) {
        float v = d->bias ? o[j] + d->bias[j] : o[j];
        o[j] = d->relu && v <= 0 ? 0 : v;
      }
    }
  }
}

/* Output pixels per chunk of the filter gradient, and taps per register group (a chunk's taps, zero-padded to whole groups, fit on the stack). */
#define PIXEL_CHUNK 64
#define TAP_GROUP 4
#define GROUPED_TAPS ((FEW_TAPS + TAP_GROUP - 1) / TAP_GROUP * TAP_GROUP)

/*
 * Images t·per … of the filter gradient, summed into this task's partial gradient (taps × output
 * channels): each image's sum first, then added to the partial, which keeps the float sums short.
 * A chunk of pixels' taps is gathered first; then each group of taps × block of channels sums over
 * the chunk in registers.
 */
CLONES
static void direct_filter_task(void *ctx, long t) {
  const direct *d = ctx;
  const conv_info *c = d->c;
  long k = c->f_h * c->f_w * c->in_c, kg = (k + TAP_GROUP - 1) / TAP_GROUP * TAP_GROUP, co = c->out_c, size = kg * co;
  long ohw = c->out_h * c->out_w, blocks = co / CO_BLOCK * CO_BLOCK;
  long n0, n1;
  pool_share(c->batch, d->tasks, t, &n0, &n1);
  float *partial = d->out + t * 2 * size, *image = partial + size;
  float chunk[PIXEL_CHUNK * GROUPED_TAPS];
  taps tp;
  taps_init(c, &tp);
  for (long i = 0; i < size; i++) partial[i] = 0;
  for (long n = n0; n < n1; n++) {
    for (long i = 0; i < size; i++) image[i] = 0;
    for (long p0 = 0; p0 < ohw; p0 += PIXEL_CHUNK) {
      long pn = ohw - p0 < PIXEL_CHUNK ? ohw - p0 : PIXEL_CHUNK;
      for (long p = 0; p < pn; p++) {
        const long *at;
        const float *v = taps_at(c, d->x, n, (p0 + p) / c->out_w, (p0 + p) % c->out_w, &tp, &at);
        for (long f = 0; f < kg; f++) chunk[p * kg + f] = f < k ? v[at[f]] : 0;
      }
      const float *g = d->dy + (n * ohw + p0) * co;
      for (long f0 = 0; f0 < kg; f0 += TAP_GROUP)
        for (long j0 = 0; j0 < blocks; j0 += CO_BLOCK) {
          block_v acc[TAP_GROUP] = {{0}};
          for (long p = 0; p < pn; p++) {
            block_v gv = *(const block_v *)(g + p * co + j0);
            for (int i = 0; i < TAP_GROUP; i++) acc[i] += chunk[p * kg + f0 + i] * gv;
          }
          for (int i = 0; i < TAP_GROUP; i++) *(block_v *)(image + (f0 + i) * co + j0) += acc[i];
        }
      for (long p = 0; p < pn; p++)
        for (long f = 0; f < k; f++)
          for (long j = blocks; j < co; j++) image[f * co + j] += chunk[p * kg + f] * g[p * co + j];
    }
    for (long i = 0; i < size; i++) partial[i] += image[i];
  }
}

static void im2col_task(void *ctx, long t) {
  const patches *p = ctx;
  const conv_info *c = p->c;
  long r0, r1;
  pool_share(p->rows, p->tasks, t, &r0, &r1);
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

/* The scratch of the calling thread, kept between calls: a fresh multi-MB block per call would be
 * page-faulted in every time. Two kinds, since a thread running tasks gathers patches into its own
 * while partial filter gradients of every task live in the caller's. */
enum { PATCHES, PARTIALS };
static _Thread_local float *scratch[2];
static _Thread_local size_t scratch_floats[2];

static float *scratch_of(int kind, size_t floats) {
  if (floats > scratch_floats[kind]) {
    free(scratch[kind]);
    scratch[kind] = malloc(floats * sizeof(float));
    if (!scratch[kind]) abort();
    scratch_floats[kind] = floats;
  }
  return scratch[kind];
}

/* Tasks each thread takes, claimed as they come: a thread held up elsewhere (the machine may be shared) does not stall the pass. */
#define TASKS_PER_THREAD 4

/* Tasks for `units` units of work of `flops` in all: one unless waking the workers pays. */
static long direct_tasks(long units, long flops, int threads) {
  if (threads <= 1 || flops < 65536) return 1;
  return units < TASKS_PER_THREAD * threads ? units : TASKS_PER_THREAD * threads;
}

static void gather_patches(patches *p, int threads) {
  p->tasks = threads > 1 && p->rows * p->k > 16384 ? threads : 1;
  pool_run(im2col_task, p, p->tasks, threads);
}

/* One convolution pass over the images in chunks: the chunk body, and what it reads and writes. */
typedef struct chunked chunked;
typedef void (*chunk_fn)(const chunked *j, long n0, long count, float *target, int threads);
struct chunked {
  const conv_info *c;
  const float *x, *w, *bias, *dy;
  float *out; /* the output, dx or dw */
  int relu;
  long k, images, chunks, tasks;
  chunk_fn body;
  float *partials; /* filter gradient: one per task */
};

/* The patches of group `gi` of the chunk's images, into the chunk's scratch. */
static float *chunk_patches(const chunked *j, long n0, long count, long gi, int threads) {
  const conv_info *c = j->c;
  long cg = c->in_c / c->groups, rows = count * c->out_h * c->out_w;
  float *cols = scratch_of(PATCHES, (size_t)(rows * j->k));
  patches p = {c, j->x, cols, NULL, n0, rows, gi * cg, cg, j->k, 1};
  gather_patches(&p, threads);
  return cols;
}

static void forward_chunk(const chunked *j, long n0, long count, float *out, int threads) {
  const conv_info *c = j->c;
  long opg = c->out_c / c->groups, ohw = c->out_h * c->out_w;
  for (long gi = 0; gi < c->groups; gi++) {
    float *cols = chunk_patches(j, n0, count, gi, threads);
    gemm_args g = {count * ohw, opg, j->k, cols, j->k, 1, j->w + gi * opg, c->out_c, 1, out + n0 * ohw * c->out_c + gi * opg, c->out_c, 0,
                   j->bias ? j->bias + gi * opg : NULL, j->relu};
    gemm(&g, threads);
  }
}

static void input_chunk(const chunked *j, long n0, long count, float *dx, int threads) {
  const conv_info *c = j->c;
  long opg = c->out_c / c->groups, cg = c->in_c / c->groups, ohw = c->out_h * c->out_w;
  float *cols = scratch_of(PATCHES, (size_t)(count * ohw * j->k));
  for (long gi = 0; gi < c->groups; gi++) {
    gemm_args g = {count * ohw, j->k, opg, j->dy + n0 * ohw * c->out_c + gi * opg, c->out_c, 1, j->w + gi * opg, 1, c->out_c, cols, j->k, 0, NULL, 0};
    gemm(&g, threads);
    patches p = {c, NULL, cols, dx, n0, count * ohw, gi * cg, cg, j->k, 1};
    pool_run(col2im_task, &p, count, threads);
  }
}

/* Adds the chunk's filter gradient into dw. */
static void filter_chunk(const chunked *j, long n0, long count, float *dw, int threads) {
  const conv_info *c = j->c;
  long opg = c->out_c / c->groups, ohw = c->out_h * c->out_w;
  for (long gi = 0; gi < c->groups; gi++) {
    float *cols = chunk_patches(j, n0, count, gi, threads);
    gemm_args g = {j->k, opg, count * ohw, cols, 1, j->k, j->dy + n0 * ohw * c->out_c + gi * opg, c->out_c, 1, dw + gi * opg, c->out_c, 1, NULL, 0};
    gemm(&g, threads);
  }
}

/* Task t: its share of the chunks on this thread alone (a filter gradient into its own partial). */
static void chunked_task(void *ctx, long t) {
  const chunked *j = ctx;
  long first, last;
  pool_share(j->chunks, j->tasks, t, &first, &last);
  long size = j->k * j->c->out_c;
  float *target = j->partials ? j->partials + t * size : j->out;
  if (j->partials) memset(target, 0, (size_t)size * sizeof(float));
  for (long chunk = first; chunk < last; chunk++) {
    long n0 = chunk * j->images;
    j->body(j, n0, j->c->batch - n0 < j->images ? j->c->batch - n0 : j->images, target, 1);
  }
}

/*
 * Runs j->body over every chunk of images: whole chunks per task when there are enough for every
 * thread to take several, else each chunk in turn on every thread. A filter gradient (`partial`)
 * sums into one partial per task (a few per thread), added into dw at the end.
 */
static void run_chunks(chunked *j, int partial, int threads) {
  const conv_info *c = j->c;
  long per_image = c->out_h * c->out_w * j->k;
  j->images = per_image > 0 ? CHUNK_FLOATS / per_image : c->batch;
  if (j->images < 1) j->images = 1;
  if (j->images > c->batch) j->images = c->batch;
  j->chunks = (c->batch + j->images - 1) / j->images;
  if (threads <= 1 || j->chunks < 2 * threads) {
    for (long n0 = 0; n0 < c->batch; n0 += j->images) j->body(j, n0, c->batch - n0 < j->images ? c->batch - n0 : j->images, j->out, threads);
    return;
  }
  j->tasks = partial && j->chunks > TASKS_PER_THREAD * threads ? TASKS_PER_THREAD * threads : j->chunks;
  long size = j->k * c->out_c;
  if (partial) j->partials = scratch_of(PARTIALS, (size_t)(j->tasks * size));
  pool_run(chunked_task, j, j->tasks, threads);
  if (partial)
    for (long t = 0; t < j->tasks; t++)
      for (long i = 0; i < size; i++) j->out[i] += j->partials[t * size + i];
}

void conv2d(const float *x, const float *w, float *out, const conv_info *c, const float *bias, int relu, int threads) {
  long cg = c->in_c / c->groups, k = c->f_h * c->f_w * cg;
  if (pointwise(c)) {
    gemm_args g = {c->batch * c->out_h * c->out_w, c->out_c, c->in_c, x, c->in_c, 1, w, c->out_c, 1, out, c->out_c, 0, bias, relu};
    gemm(&g, threads);
    return;
  }
  if (few_taps(c)) {
    long rows = c->batch * c->out_h;
    direct d = {c, x, w, bias, NULL, out, relu, direct_tasks(rows, 2 * rows * c->out_w * k * c->out_c, threads)};
    pool_run(direct_forward_task, &d, d.tasks, threads);
    return;
  }
  if (depthwise(c)) {
    long rows = c->batch * c->out_h;
    direct d = {c, x, w, bias, NULL, out, relu, direct_tasks(rows, 2 * rows * c->out_w * k * c->out_c, threads)};
    pool_run(depthwise_forward_task, &d, d.tasks, threads);
    return;
  }
  chunked j = {c, x, w, bias, NULL, out, relu, k, 0, 0, 0, forward_chunk, NULL};
  run_chunks(&j, 0, threads);
}

void conv2d_backprop_input(const float *dy, const float *w, float *dx, const conv_info *c, int threads) {
  long cg = c->in_c / c->groups, k = c->f_h * c->f_w * cg;
  if (pointwise(c)) {
    gemm_args g = {c->batch * c->out_h * c->out_w, c->in_c, c->out_c, dy, c->out_c, 1, w, 1, c->out_c, dx, c->in_c, 0, NULL, 0};
    gemm(&g, threads);
    return;
  }
  chunked j = {c, NULL, w, NULL, dy, dx, 0, k, 0, 0, 0, input_chunk, NULL};
  run_chunks(&j, 0, threads);
}

void conv2d_backprop_filter(const float *x, const float *dy, float *dw, const conv_info *c, int threads) {
  long cg = c->in_c / c->groups, k = c->f_h * c->f_w * cg, ohw = c->out_h * c->out_w;
  if (pointwise(c)) {
    gemm_args g = {c->in_c, c->out_c, c->batch * ohw, x, 1, c->in_c, dy, c->out_c, 1, dw, c->out_c, 0, NULL, 0};
    gemm(&g, threads);
    return;
  }
  if (few_taps(c)) {
    /* Each task's partial gradient has whole tap groups (the rows past k stay zero). */
    long size = (k + TAP_GROUP - 1) / TAP_GROUP * TAP_GROUP * c->out_c;
    direct d = {c, x, NULL, NULL, dy, NULL, 0, direct_tasks(c->batch, 2 * c->batch * ohw * k * c->out_c, threads)};
    d.out = scratch_of(PARTIALS, (size_t)(d.tasks * 2 * size));
    pool_run(direct_filter_task, &d, d.tasks, threads);
    for (long t = 0; t < d.tasks; t++)
      for (long i = 0; i < k * c->out_c; i++) dw[i] += d.out[t * 2 * size + i];
    return;
  }
  chunked j = {c, x, NULL, NULL, dy, dw, 0, k, 0, 0, 0, filter_chunk, NULL};
  run_chunks(&j, 1, threads);
}
