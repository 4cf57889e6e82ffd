/*
 * GEMM in the BLIS/GotoBLAS layout: B is packed into kc×NR row panels (shared by all threads), A
 * into MR×kc column panels per L2-sized block (one per task), and a register-blocked micro-kernel
 * multiplies one A panel by one B panel. The micro-kernel is picked at run time from the CPU's
 * features; the AVX-512 and AVX2 ones are compiled with target attributes so that the library
 * itself runs on any x86-64 (and, with the generic kernel, elsewhere).
 */
#include "gemm.h"

#include <stdlib.h>
#include <string.h>

#include "clones.h"
#include "pool.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define TENSILE_X86 1
#endif

#define MAX_MR 8
#define MAX_NR 32
/*
 * Depth of a slice: each slice reads and writes the C tile once more, which costs more here than
 * B panels (KC×NR floats) spilling from L1 to L2: 1024 against 256 ran sgemm 1024 at 1.12× on two
 * threads and 1.04× on one (A/B in one process, 23:02 UTC 2026-12-06), n = 512 and 2048 alike.
 */
#define KC 1024
/* Rows of A per block: MC×KC floats (~384 KiB) stay in L2 while the B panels stream past them. */
#define MC_TARGET 96

/*
 * A micro-kernel multiplies an mr×kc slice of A by a packed kc×nr panel of B into C. A is either
 * packed (element (i, p) at a[p·mr + i]: lda = 0) or read in place from a row-major matrix
 * (a[i·lda + p]) — worth it when few B columns reuse each packed A element.
 */
typedef void (*micro_kernel)(long kc, const float *a, long lda, const float *b, float *c, long ldc, int accumulate);

typedef struct {
  const char *name;
  int mr, nr;
  micro_kernel kernel;
  int avx2; /* packing may use AVX2 shuffles */
} isa;

/* Portable fallback: the compiler vectorises the inner j loop with the baseline ISA. */
static void micro_generic(long kc, const float *a, long lda, const float *b, float *c, long ldc, int accumulate) {
  float acc[4][8] = {{0}};
  long row = lda ? lda : 1, step = lda ? 1 : 4;
  for (long p = 0; p < kc; p++, a += step, b += 8)
    for (int i = 0; i < 4; i++)
      for (int j = 0; j < 8; j++) acc[i][j] += a[i * row] * b[j];
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 8; j++) c[i * ldc + j] = accumulate ? c[i * ldc + j] + acc[i][j] : acc[i][j];
}

#ifdef TENSILE_X86
/* 8×32: 16 zmm accumulators, two B vectors and one broadcast per step. ROW_STRIDE: the distance
 * between A's rows (1 when packed), STEP: between its columns (8 when packed, 1 in place). */
#define AVX512_BODY(ROW_STRIDE, STEP)                                                                              \
  __m512 r00 = _mm512_setzero_ps(), r01 = r00, r10 = r00, r11 = r00, r20 = r00, r21 = r00, r30 = r00, r31 = r00; \
  __m512 r40 = r00, r41 = r00, r50 = r00, r51 = r00, r60 = r00, r61 = r00, r70 = r00, r71 = r00;                 \
  const long rs = (ROW_STRIDE);                                                                                  \
  for (long p = 0; p < kc; p++, a += (STEP), b += 32) {                                                          \
    __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16), x;                                               \
    ROW(0, r00, r01) ROW(1, r10, r11) ROW(2, r20, r21) ROW(3, r30, r31)                                          \
    ROW(4, r40, r41) ROW(5, r50, r51) ROW(6, r60, r61) ROW(7, r70, r71)                                          \
  }                                                                                                              \
  STORE(0, r00, r01) STORE(1, r10, r11) STORE(2, r20, r21) STORE(3, r30, r31)                                    \
  STORE(4, r40, r41) STORE(5, r50, r51) STORE(6, r60, r61) STORE(7, r70, r71)
#define ROW(i, lo, hi)                 \
  x = _mm512_set1_ps(a[(i) * rs]);     \
  lo = _mm512_fmadd_ps(x, b0, lo);     \
  hi = _mm512_fmadd_ps(x, b1, hi);
#define STORE(i, lo, hi)                                                 \
  if (accumulate) {                                                      \
    lo = _mm512_add_ps(lo, _mm512_loadu_ps(c + (i) * ldc));              \
    hi = _mm512_add_ps(hi, _mm512_loadu_ps(c + (i) * ldc + 16));         \
  }                                                                      \
  _mm512_storeu_ps(c + (i) * ldc, lo);                                   \
  _mm512_storeu_ps(c + (i) * ldc + 16, hi);
__attribute__((target("avx512f"))) static void micro_avx512_packed(long kc, const float *a, const float *b, float *c, long ldc, int accumulate) {
  AVX512_BODY(1, 8)
}
__attribute__((target("avx512f"))) static void micro_avx512_rows(long kc, const float *a, long lda, const float *b, float *c, long ldc, int accumulate) {
  AVX512_BODY(lda, 1)
}
__attribute__((target("avx512f"))) static void micro_avx512(long kc, const float *a, long lda, const float *b, float *c, long ldc, int accumulate) {
  if (lda) micro_avx512_rows(kc, a, lda, b, c, ldc, accumulate);
  else micro_avx512_packed(kc, a, b, c, ldc, accumulate);
}
#undef ROW
#undef STORE

/* 6×16: 12 ymm accumulators, two B vectors and one broadcast per step. */
#define AVX2_BODY(ROW_STRIDE, STEP)                                                      \
  __m256 r00 = _mm256_setzero_ps(), r01 = r00, r10 = r00, r11 = r00, r20 = r00, r21 = r00; \
  __m256 r30 = r00, r31 = r00, r40 = r00, r41 = r00, r50 = r00, r51 = r00;               \
  const long rs = (ROW_STRIDE);                                                          \
  for (long p = 0; p < kc; p++, a += (STEP), b += 16) {                                  \
    __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8), x;                        \
    ROW(0, r00, r01) ROW(1, r10, r11) ROW(2, r20, r21) ROW(3, r30, r31) ROW(4, r40, r41) ROW(5, r50, r51) \
  }                                                                                      \
  STORE(0, r00, r01) STORE(1, r10, r11) STORE(2, r20, r21) STORE(3, r30, r31) STORE(4, r40, r41) STORE(5, r50, r51)
#define ROW(i, lo, hi)                      \
  x = _mm256_broadcast_ss(a + (i) * rs);    \
  lo = _mm256_fmadd_ps(x, b0, lo);          \
  hi = _mm256_fmadd_ps(x, b1, hi);
#define STORE(i, lo, hi)                                                       \
  if (accumulate) {                                                            \
    lo = _mm256_add_ps(lo, _mm256_loadu_ps(c + (i) * ldc));                    \
    hi = _mm256_add_ps(hi, _mm256_loadu_ps(c + (i) * ldc + 8));                \
  }                                                                            \
  _mm256_storeu_ps(c + (i) * ldc, lo);                                         \
  _mm256_storeu_ps(c + (i) * ldc + 8, hi);
__attribute__((target("avx2,fma"))) static void micro_avx2_packed(long kc, const float *a, const float *b, float *c, long ldc, int accumulate) {
  AVX2_BODY(1, 6)
}
__attribute__((target("avx2,fma"))) static void micro_avx2_rows(long kc, const float *a, long lda, const float *b, float *c, long ldc, int accumulate) {
  AVX2_BODY(lda, 1)
}
__attribute__((target("avx2,fma"))) static void micro_avx2(long kc, const float *a, long lda, const float *b, float *c, long ldc, int accumulate) {
  if (lda) micro_avx2_rows(kc, a, lda, b, c, ldc, accumulate);
  else micro_avx2_packed(kc, a, b, c, ldc, accumulate);
}
#undef ROW
#undef STORE
#endif

static const isa GENERIC = {"generic", 4, 8, micro_generic, 0};
#ifdef TENSILE_X86
static const isa AVX512 = {"avx512", 8, 32, micro_avx512, 1};
static const isa AVX2 = {"avx2", 6, 16, micro_avx2, 1};
#endif
static const isa *active = NULL;

static const isa *best_isa(void) {
#ifdef TENSILE_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) return &AVX512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return &AVX2;
#endif
  return &GENERIC;
}

const char *gemm_select(const char *name) {
  const isa *best = best_isa();
  active = best;
  if (name && strcmp(name, "generic") == 0) active = &GENERIC;
#ifdef TENSILE_X86
  if (name && strcmp(name, "avx2") == 0 && best != &GENERIC) active = &AVX2;
#endif
  return active->name;
}

static void *grow(void **buffer, size_t *capacity, size_t bytes) {
  if (bytes > *capacity) {
    free(*buffer);
    *buffer = aligned_alloc(64, (bytes + 63) / 64 * 64);
    *capacity = *buffer ? bytes : 0;
  }
  return *buffer;
}

#ifdef TENSILE_X86
/* dst[c · dst_stride + r] = src[r · src_stride + c] for an 8×8 block: eight loads, 24 shuffles, eight stores. */
__attribute__((target("avx2"))) static void transpose8x8(const float *src, long src_stride, float *dst, long dst_stride) {
  __m256 r0 = _mm256_loadu_ps(src), r1 = _mm256_loadu_ps(src + src_stride), r2 = _mm256_loadu_ps(src + 2 * src_stride);
  __m256 r3 = _mm256_loadu_ps(src + 3 * src_stride), r4 = _mm256_loadu_ps(src + 4 * src_stride), r5 = _mm256_loadu_ps(src + 5 * src_stride);
  __m256 r6 = _mm256_loadu_ps(src + 6 * src_stride), r7 = _mm256_loadu_ps(src + 7 * src_stride);
  __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1), t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
  __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5), t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE), s2 = _mm256_shuffle_ps(t1, t3, 0x44);
  __m256 s3 = _mm256_shuffle_ps(t1, t3, 0xEE), s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  _mm256_storeu_ps(dst, _mm256_permute2f128_ps(s0, s4, 0x20));
  _mm256_storeu_ps(dst + dst_stride, _mm256_permute2f128_ps(s1, s5, 0x20));
  _mm256_storeu_ps(dst + 2 * dst_stride, _mm256_permute2f128_ps(s2, s6, 0x20));
  _mm256_storeu_ps(dst + 3 * dst_stride, _mm256_permute2f128_ps(s3, s7, 0x20));
  _mm256_storeu_ps(dst + 4 * dst_stride, _mm256_permute2f128_ps(s0, s4, 0x31));
  _mm256_storeu_ps(dst + 5 * dst_stride, _mm256_permute2f128_ps(s1, s5, 0x31));
  _mm256_storeu_ps(dst + 6 * dst_stride, _mm256_permute2f128_ps(s2, s6, 0x31));
  _mm256_storeu_ps(dst + 7 * dst_stride, _mm256_permute2f128_ps(s3, s7, 0x31));
}
#endif

/*
 * dst[c · dst_stride + r] = src[r · src_stride + c] for r < rows, c < cols: packing an operand
 * whose rows run the other way. Whole 8×8 blocks go through AVX2 shuffles when the ISA in use has
 * them; element by element, such a copy took a tenth of a 256×256×128 product's time.
 */
static void transpose_copy(const float *src, long src_stride, float *dst, long dst_stride, long rows, long cols, int avx2) {
  long r0 = 0;
#ifdef TENSILE_X86
  if (avx2)
    for (; r0 + 8 <= rows; r0 += 8) {
      long c = 0;
      for (; c + 8 <= cols; c += 8) transpose8x8(src + r0 * src_stride + c, src_stride, dst + c * dst_stride + r0, dst_stride);
      for (; c < cols; c++)
        for (long r = r0; r < r0 + 8; r++) dst[c * dst_stride + r] = src[r * src_stride + c];
    }
#else
  (void)avx2;
#endif
  for (long r = r0; r < rows; r++)
    for (long c = 0; c < cols; c++) dst[c * dst_stride + r] = src[r * src_stride + c];
}

/* B(p0.., j0..) → panels of nr columns: panel q holds kc rows of nr floats, zero past n. */
static void pack_b(const gemm_args *g, const isa *s, long p0, long kc, long j0, long nc, long q0, long q1, float *dst) {
  int nr = s->nr;
  for (long q = q0; q < q1; q++) {
    float *out = dst + q * kc * nr;
    long j = j0 + q * nr, width = nc - q * nr < nr ? nc - q * nr : nr;
    if (g->brs == 1) {
      /* B transposed: each of its columns is contiguous along p. */
      transpose_copy(g->b + j * g->bcs + p0, g->bcs, out, nr, width, kc, s->avx2);
      if (width < nr)
        for (long p = 0; p < kc; p++) memset(out + p * nr + width, 0, (size_t)(nr - width) * sizeof(float));
      continue;
    }
    for (long p = 0; p < kc; p++, out += nr) {
      const float *src = g->b + (p0 + p) * g->brs + j * g->bcs;
      if (g->bcs == 1) memcpy(out, src, (size_t)width * sizeof(float));
      else
        for (long x = 0; x < width; x++) out[x] = src[x * g->bcs];
      for (long x = width; x < nr; x++) out[x] = 0;
    }
  }
}

/* A(i0.., p0..) → panels of mr rows: each holds kc columns of mr floats, zero past m. */
static void pack_a(const gemm_args *g, const isa *s, long i0, long mc, long p0, long kc, float *dst) {
  int mr = s->mr;
  for (long r = 0; r < mc; r += mr, dst += kc * mr) {
    long height = mc - r < mr ? mc - r : mr;
    const float *src = g->a + (i0 + r) * g->ars + p0 * g->acs;
    if (g->ars == 1 && height == 8 && mr == 8) {
      /* A transposed, a full AVX-512 panel: eight contiguous floats per column (a fixed count, so one vector copy). */
      for (long p = 0; p < kc; p++)
        for (int i = 0; i < 8; i++) dst[p * 8 + i] = src[p * g->acs + i];
    } else if (g->ars == 1) {
      for (long p = 0; p < kc; p++) {
        for (long i = 0; i < height; i++) dst[p * mr + i] = src[p * g->acs + i];
        for (long i = height; i < mr; i++) dst[p * mr + i] = 0;
      }
    } else {
      if (g->acs == 1) transpose_copy(src, g->ars, dst, mr, height, kc, s->avx2);
      else
        for (long i = 0; i < height; i++)
          for (long p = 0; p < kc; p++) dst[p * mr + i] = src[i * g->ars + p * g->acs];
      for (long i = height; i < mr; i++)
        for (long p = 0; p < kc; p++) dst[p * mr + i] = 0;
    }
  }
}

static void epilogue(const gemm_args *g, long i0, long i1, long j0, long j1) {
  if (!g->bias && !g->relu) return;
  for (long i = i0; i < i1; i++) {
    float *row = g->c + i * g->ldc;
    for (long j = j0; j < j1; j++) {
      float v = row[j];
      if (g->bias) v += g->bias[j];
      if (g->relu && v <= 0) v = 0;
      row[j] = v;
    }
  }
}

/*
 * One column block [jc, jc + nc) of C: B is packed whole (every kc slice) first, then each task —
 * a block of mc rows × a run of B panels — walks all kc slices itself, so a product costs two
 * barriers, not two per kc slice.
 */
typedef struct {
  const gemm_args *g;
  const isa *s;
  long jc, nc, mc;
  long panels, chunks, panels_per_chunk, pack_tasks;
  float *bpack; /* slice pc/KC at bpack + pc · panels · nr, panel q of it at + q · kc · nr */
} step;

static void pack_b_task(void *ctx, long t) {
  const step *st = ctx;
  long slices = (st->g->k + KC - 1) / KC, per_slice = st->pack_tasks / slices;
  long slice = t / per_slice, part = t % per_slice;
  long pc = slice * KC, kc = st->g->k - pc < KC ? st->g->k - pc : KC;
  long per = (st->panels + per_slice - 1) / per_slice;
  long q0 = part * per, q1 = q0 + per < st->panels ? q0 + per : st->panels;
  if (q0 < q1) pack_b(st->g, st->s, pc, kc, st->jc, st->nc, q0, q1, st->bpack + pc * st->panels * st->s->nr);
}

static _Thread_local void *a_buffer;
static _Thread_local size_t a_capacity;

static void compute_task(void *ctx, long t) {
  const step *st = ctx;
  const gemm_args *g = st->g;
  const isa *s = st->s;
  int mr = s->mr, nr = s->nr;
  long block = t / st->chunks, chunk = t % st->chunks;
  long i0 = block * st->mc, mc = g->m - i0 < st->mc ? g->m - i0 : st->mc;
  long q0 = chunk * st->panels_per_chunk, q1 = q0 + st->panels_per_chunk < st->panels ? q0 + st->panels_per_chunk : st->panels;
  if (q0 >= q1) return;
  /* Row-major A is read in place when few B panels would reuse a packed copy; a short last panel is still packed. */
  int in_place = g->acs == 1 && q1 - q0 <= 4;
  float *apack = grow(&a_buffer, &a_capacity, (size_t)(st->mc + mr) * KC * sizeof(float));
  if (!apack) abort();
  float tile[MAX_MR * MAX_NR] __attribute__((aligned(64)));
  for (long pc = 0; pc < g->k; pc += KC) {
    long kc = g->k - pc < KC ? g->k - pc : KC;
    int accumulate = pc > 0 || g->accumulate;
    if (!in_place) pack_a(g, s, i0, mc, pc, kc, apack);
    else if (mc % mr) pack_a(g, s, i0 + mc / mr * mr, mc % mr, pc, kc, apack + mc / mr * mr * kc);
    const float *slice = st->bpack + pc * st->panels * nr;
    for (long q = q0; q < q1; q++) {
      const float *bp = slice + q * kc * nr;
      long j = st->jc + q * nr, width = st->nc - q * nr < nr ? st->nc - q * nr : nr;
      for (long r = 0; r < mc; r += mr) {
        long height = mc - r < mr ? mc - r : mr;
        int direct = in_place && height == mr;
        const float *ap = direct ? g->a + (i0 + r) * g->ars + pc : apack + r * kc;
        long lda = direct ? g->ars : 0;
        float *c = g->c + (i0 + r) * g->ldc + j;
        if (height == mr && width == nr) {
          s->kernel(kc, ap, lda, bp, c, g->ldc, accumulate);
        } else {
          s->kernel(kc, ap, lda, bp, tile, nr, 0);
          for (long i = 0; i < height; i++)
            for (long x = 0; x < width; x++) c[i * g->ldc + x] = accumulate ? c[i * g->ldc + x] + tile[i * nr + x] : tile[i * nr + x];
        }
      }
    }
  }
  epilogue(g, i0, i0 + mc, st->jc + q0 * nr, st->jc + (q1 * nr < st->nc ? q1 * nr : st->nc));
}

/* Columns at most this many take the narrow path: a panel of nr columns would be mostly padding. */
#define NARROW_N 4

static _Thread_local void *narrow_buffer;
static _Thread_local size_t narrow_capacity;

/*
 * Transposed A's part of the narrow path: C's n columns, column-major in `columns`, summed from A's
 * columns scaled by B's values (each element adds in order of p: the same bits at any width, so
 * compiled for the widest vectors the CPU has; clones picked at load).
 */
CLONES
static void scaled_columns(const gemm_args *g, float *restrict columns) {
  long m = g->m;
  memset(columns, 0, (size_t)(g->n * m) * sizeof(float));
  for (long p = 0; p < g->k; p++) {
    const float *restrict a = g->a + p * g->acs;
    for (long j = 0; j < g->n; j++) {
      float b = g->b[p * g->brs + j * g->bcs], *restrict column = columns + j * m;
      if (g->ars == 1)
        for (long i = 0; i < m; i++) column[i] += a[i] * b;
      else
        for (long i = 0; i < m; i++) column[i] += a[i * g->ars] * b;
    }
  }
}

/*
 * A product with a handful of columns (a classifier's logits and their gradients), on one thread.
 * Row-major A: dot products of its rows with B's columns copied contiguous, each summed in eight
 * independent lanes so that the loop vectorises. Transposed A: B's columns scaled into a column-
 * major scratch, the loop running down A's contiguous columns.
 */
static void gemm_narrow(const gemm_args *g) {
  long m = g->m, n = g->n, k = g->k;
  float *scratch = grow(&narrow_buffer, &narrow_capacity, (size_t)(g->acs == 1 ? n * k : n * m) * sizeof(float));
  if (!scratch) abort();
  if (g->acs == 1) {
    for (long j = 0; j < n; j++)
      for (long p = 0; p < k; p++) scratch[j * k + p] = g->b[p * g->brs + j * g->bcs];
    for (long i = 0; i < m; i++) {
      const float *a = g->a + i * g->ars;
      for (long j = 0; j < n; j++) {
        const float *b = scratch + j * k;
        float lanes[8] = {0};
        long p = 0;
        for (; p + 8 <= k; p += 8)
          for (int l = 0; l < 8; l++) lanes[l] += a[p + l] * b[p + l];
        float sum = ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5])) + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]));
        for (; p < k; p++) sum += a[p] * b[p];
        float *c = g->c + i * g->ldc + j;
        *c = g->accumulate ? *c + sum : sum;
      }
    }
  } else {
    scaled_columns(g, scratch);
    for (long i = 0; i < m; i++)
      for (long j = 0; j < n; j++) {
        float *c = g->c + i * g->ldc + j;
        *c = g->accumulate ? *c + scratch[j * m + i] : scratch[j * m + i];
      }
  }
  epilogue(g, 0, m, 0, n);
}

static _Thread_local void *b_buffer; /* per calling thread: Node worker threads may each run kernels */
static _Thread_local size_t b_capacity;

/* Packed B per column block, in floats: bounds the scratch for very large products. */
#define B_PACK_FLOATS (1L << 22)

void gemm(const gemm_args *g, int threads) {
  if (!active) gemm_select(NULL);
  const isa *s = active;
  if (g->m <= 0 || g->n <= 0) return;
  if (g->k <= 0) {
    if (!g->accumulate)
      for (long i = 0; i < g->m; i++) memset(g->c + i * g->ldc, 0, (size_t)g->n * sizeof(float));
    epilogue(g, 0, g->m, 0, g->n);
    return;
  }
  if (g->n <= NARROW_N) {
    gemm_narrow(g);
    return;
  }
  /* Small products are not worth waking the workers. */
  if ((double)g->m * (double)g->n * (double)g->k < 65536.0) threads = 1;
  long slices = (g->k + KC - 1) / KC;
  long nc_max = B_PACK_FLOATS / (slices * KC) / s->nr * s->nr;
  if (nc_max < s->nr) nc_max = s->nr;
  if (nc_max > g->n) nc_max = g->n;
  long panels_max = (nc_max + s->nr - 1) / s->nr;
  float *bpack = grow(&b_buffer, &b_capacity, (size_t)panels_max * s->nr * slices * KC * sizeof(float));
  if (!bpack) abort();
  long mc = (MC_TARGET / s->mr) * s->mr;
  long blocks = (g->m + mc - 1) / mc;
  /* With several threads, enough tasks that claiming them dynamically evens out the work. */
  if (threads > 1 && blocks < 4 * threads && g->m > s->mr) {
    long per = (g->m + 4 * threads - 1) / (4 * threads);
    mc = (per + s->mr - 1) / s->mr * s->mr;
    if (mc < 4 * s->mr && g->m > 4 * s->mr) mc = 4 * s->mr;
    blocks = (g->m + mc - 1) / mc;
  } else if (threads > 1 && blocks % threads) {
    /* A whole number of equal blocks per thread (11 blocks of 96 rows on 2 threads would leave one idle for a block). */
    long even = (blocks + threads - 1) / threads * threads;
    mc = ((g->m + even - 1) / even + s->mr - 1) / s->mr * s->mr;
    blocks = (g->m + mc - 1) / mc;
  }
  for (long jc = 0; jc < g->n; jc += nc_max) {
    long nc = g->n - jc < nc_max ? g->n - jc : nc_max;
    long panels = (nc + s->nr - 1) / s->nr;
    long chunks = 1;
    if (threads > 1 && blocks < 4 * threads) {
      chunks = (4 * threads + blocks - 1) / blocks;
      if (chunks > panels) chunks = panels;
    }
    step st = {g, s, jc, nc, mc, panels, chunks, (panels + chunks - 1) / chunks, slices * (threads > 1 ? threads : 1), bpack};
    pool_run(pack_b_task, &st, st.pack_tasks, threads);
    pool_run(compute_task, &st, blocks * chunks, threads);
  }
}
