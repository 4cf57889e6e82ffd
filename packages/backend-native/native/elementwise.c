/*
 * Elementwise kernels, following tensile's reference backend value for value: transcendental
 * functions are evaluated in double and rounded once, as the reference does; NaN handling
 * (relu, maximum, minimum) matches it. Big arrays are split over the thread pool.
 */
#include "elementwise.h"

#include <math.h>
#include <stddef.h>
#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

#include "clones.h"
#include "pool.h"

/* Below this many elements one thread is faster than waking the others. */
#define PARALLEL_MIN 32768

const char *const UNARY_OPS[] = {"neg", "abs", "sign", "sqrt", "rsqrt", "exp", "log", "log1p", "expm1", "square", "reciprocal", "floor", "ceil",
                                 "round", "sin", "cos", "erf", "relu", "sigmoid", "tanh", "softplus", "elu", "softsign", "isNaN", "isFinite"};
const int UNARY_OP_COUNT = sizeof UNARY_OPS / sizeof *UNARY_OPS;
const char *const ACTIVATION_OPS[] = {"relu", "sigmoid", "tanh", "softplus", "elu", "softsign"};
const int ACTIVATION_OP_COUNT = sizeof ACTIVATION_OPS / sizeof *ACTIVATION_OPS;
const char *const BINARY_OPS[] = {"add", "sub", "mul", "div", "pow", "maximum", "minimum", "mod", "eq", "ne", "lt", "le", "gt", "ge"};
const int BINARY_OP_COUNT = sizeof BINARY_OPS / sizeof *BINARY_OPS;

static int tasks_for(long n, int threads) { return n >= PARALLEL_MIN && threads > 1 ? threads : 1; }


/* Round half to even, as numpy and PyTorch do. */
static double round_even(double v) { return nearbyint(v); }

static double sigmoid(double v) { return v >= 0 ? 1 / (1 + exp(-v)) : exp(v) / (1 + exp(v)); }

static double softplus(double v) { return v > 20 ? v : v < -20 ? exp(v) : log1p(exp(v)); }

typedef struct {
  int op, tasks;
  const float *x, *y;
  void *out;
  long n;
} map_job;

static void unary_task(void *ctx, long t) {
  const map_job *j = ctx;
  long i0, i1;
  pool_share(j->n, j->tasks, t, &i0, &i1);
  const float *x = j->x;
  float *o = j->out;
  uint8_t *ob = j->out;
#define MAP(expr)                        \
  for (long i = i0; i < i1; i++) {      \
    double v = x[i];                     \
    o[i] = (float)(expr);                \
  }                                      \
  break;
#define TEST(expr)                       \
  for (long i = i0; i < i1; i++) {      \
    double v = x[i];                     \
    ob[i] = (expr) ? 1 : 0;              \
  }                                      \
  break;
  switch (j->op) {
    case 0: MAP(-v)
    case 1: MAP(fabs(v))
    case 2: MAP(v > 0 ? 1 : v < 0 ? -1 : v)
    case 3: MAP(sqrt(v))
    case 4: MAP(1 / sqrt(v))
    case 5: MAP(exp(v))
    case 6: MAP(log(v))
    case 7: MAP(log1p(v))
    case 8: MAP(expm1(v))
    case 9: MAP(v * v)
    case 10: MAP(1 / v)
    case 11: MAP(floor(v))
    case 12: MAP(ceil(v))
    case 13: MAP(round_even(v))
    case 14: MAP(sin(v))
    case 15: MAP(cos(v))
    case 16: MAP(erf(v))
    case 17: MAP(v <= 0 ? 0 : v)
    case 18: MAP(sigmoid(v))
    case 19: MAP(tanh(v))
    case 20: MAP(softplus(v))
    case 21: MAP(v > 0 ? v : expm1(v))
    case 22: MAP(v / (1 + fabs(v)))
    case 23: TEST(isnan(v))
    case 24: TEST(isfinite(v))
  }
#undef MAP
#undef TEST
}

void unary_f32(int op, const float *x, void *out, long n, int threads) {
  map_job j = {op, tasks_for(n, threads), x, NULL, out, n};
  pool_run(unary_task, &j, j.tasks, threads);
}

static void activation_task(void *ctx, long t) {
  const map_job *j = ctx;
  long i0, i1;
  pool_share(j->n, j->tasks, t, &i0, &i1);
  const float *dyv = j->x, *yv = j->y;
  float *o = j->out;
#define MAP(expr)                                \
  for (long i = i0; i < i1; i++) {              \
    double dy = dyv[i], y = yv[i];               \
    o[i] = (float)(expr);                        \
  }                                              \
  break;
  switch (j->op) {
    case 0: MAP(y > 0 ? dy : 0)
    case 1: MAP(dy * y * (1 - y))
    case 2: MAP(dy * (1 - y * y))
    case 3: MAP(-dy * expm1(-y))
    case 4: MAP(y > 0 ? dy : dy * (y + 1))
    case 5: MAP(dy * (1 - fabs(y)) * (1 - fabs(y)))
  }
#undef MAP
}

void activation_grad_f32(int op, const float *dy, const float *y, float *out, long n, int threads) {
  map_job j = {op, tasks_for(n, threads), dy, y, out, n};
  pool_run(activation_task, &j, j.tasks, threads);
}

typedef struct {
  int op, rank, tasks;
  const float *a, *b;
  const long *as, *bs, *shape;
  void *out;
  long rows, inner;
} binary_job;

/* One output row of `inner` values; sa, sb are the operands' steps along it (0 when broadcast). */
static void binary_row(int op, const float *a, long sa, const float *b, long sb, float *o, uint8_t *ob, long inner) {
#define MAP(expr)                               \
  for (long i = 0; i < inner; i++) {           \
    float x = a[i * sa], y = b[i * sb];          \
    o[i] = (expr);                              \
  }                                             \
  break;
#define TEST(expr)                              \
  for (long i = 0; i < inner; i++) {           \
    float x = a[i * sa], y = b[i * sb];          \
    ob[i] = (expr) ? 1 : 0;                     \
  }                                             \
  break;
  switch (op) {
    case 0: MAP(x + y)
    case 1: MAP(x - y)
    case 2: MAP(x * y)
    case 3: MAP(x / y)
    case 4: MAP((float)pow(x, y))
    case 5: MAP(x > y || isnan(x) ? x : y)
    case 6: MAP(x < y || isnan(x) ? x : y)
    case 7: MAP((float)((double)x - floor((double)x / y) * y))
    case 8: TEST(x == y)
    case 9: TEST(x != y)
    case 10: TEST(x < y)
    case 11: TEST(x <= y)
    case 12: TEST(x > y)
    case 13: TEST(x >= y)
  }
#undef MAP
#undef TEST
}

static void binary_task(void *ctx, long t) {
  const binary_job *j = ctx;
  long r0, r1;
  pool_share(j->rows, j->tasks, t, &r0, &r1);
  int last = j->rank - 1;
  long sa = j->rank ? j->as[last] : 0, sb = j->rank ? j->bs[last] : 0;
  int bytes = j->op >= 8;
  for (long r = r0; r < r1; r++) {
    long oa = 0, ob = 0, rest = r;
    for (int d = last - 1; d >= 0; d--) {
      long idx = rest % j->shape[d];
      rest /= j->shape[d];
      oa += idx * j->as[d];
      ob += idx * j->bs[d];
    }
    long o = r * j->inner;
    binary_row(j->op, j->a + oa, sa, j->b + ob, sb, bytes ? NULL : (float *)j->out + o, bytes ? (uint8_t *)j->out + o : NULL, j->inner);
  }
}

void binary_f32(int op, const float *a, const long *a_strides, const float *b, const long *b_strides, void *out, const long *shape, int rank,
                int threads) {
  long total = 1;
  for (int d = 0; d < rank; d++) total *= shape[d];
  if (total == 0) return;
  long inner = rank ? shape[rank - 1] : 1;
  binary_job j = {op, rank, 1, a, b, a_strides, b_strides, shape, out, total / inner, inner};
  j.tasks = tasks_for(total, threads);
  if (j.tasks > j.rows) j.tasks = (int)j.rows;
  pool_run(binary_task, &j, j.tasks, threads);
}

typedef struct {
  const float *p, *g, *m, *v;
  float *po, *mo, *vo;
  long n;
  int tasks;
  float lr, beta1, beta2, eps, c1, c2, rest1, rest2;
} adam_job;

/* Every operation rounded to float32, as the composite update rounds it (no contraction: -ffp-contract=off), subnormals aside.
 * In place, and a function of its own with restrict arguments, so that the loop vectorises — at the widest vectors
 * the CPU has (clones picked at load: three divisions and a square root per value, the costly part;
 * IEEE division and square root give the same bits at every width). */
CLONES
static void adam_range(float *restrict p, const float *restrict g, float *restrict m, float *restrict v, long i0, long i1, float beta1,
                       float beta2, float rest1, float rest2, float c1, float c2, float eps, float lr) {
  for (long i = i0; i < i1; i++) {
    float gi = g[i];
    float mi = m[i] * beta1 + gi * rest1;
    float vi = v[i] * beta2 + (gi * gi) * rest2;
    float step = ((mi / c1) / (sqrtf(vi / c2) + eps)) * lr;
    p[i] = p[i] - step;
    m[i] = mi;
    v[i] = vi;
  }
}

/*
 * The moments of a unit whose gradient stays zero decay into subnormals, which cost x86 CPUs tens of
 * cycles an operation (five times the whole update of a layer in mlp_train): the update flushes them
 * to zero (FTZ and DAZ), which moves a value by less than 2^-126, and restores the thread's mode after.
 */
#if defined(__x86_64__) || defined(__i386__)
static unsigned int flush_subnormals(void) {
  unsigned int mode = _mm_getcsr();
  _mm_setcsr(mode | 0x8040);
  return mode;
}
static void restore_mode(unsigned int mode) { _mm_setcsr(mode); }
#else
static unsigned int flush_subnormals(void) { return 0; }
static void restore_mode(unsigned int mode) { (void)mode; }
#endif

/* Values per block of an update into fresh outputs: the inputs are copied there a block at a time, which
 * the in-place update then reads while they are still in L1. */
#define ADAM_BLOCK 1024

static void adam_task(void *ctx, long t) {
  const adam_job *j = ctx;
  long i0, i1;
  pool_share(j->n, j->tasks, t, &i0, &i1);
  unsigned int mode = flush_subnormals();
  for (long b0 = i0; b0 < i1; b0 += ADAM_BLOCK) {
    long b1 = b0 + ADAM_BLOCK < i1 ? b0 + ADAM_BLOCK : i1;
    size_t bytes = (size_t)(b1 - b0) * sizeof(float);
    if (j->po != j->p) memcpy(j->po + b0, j->p + b0, bytes);
    if (j->mo != j->m) memcpy(j->mo + b0, j->m + b0, bytes);
    if (j->vo != j->v) memcpy(j->vo + b0, j->v + b0, bytes);
    adam_range(j->po, j->g, j->mo, j->vo, b0, b1, j->beta1, j->beta2, j->rest1, j->rest2, j->c1, j->c2, j->eps, j->lr);
  }
  restore_mode(mode);
}

void adam_step_f32(const float *p, const float *g, const float *m, const float *v, float *p_out, float *m_out, float *v_out, long n,
                   const double *s, int threads) {
  adam_job j = {p, g, m, v, p_out, m_out, v_out, n, tasks_for(n, threads), (float)s[0], (float)s[1], (float)s[2], (float)s[3], (float)s[4],
                (float)s[5], (float)(1 - s[1]), (float)(1 - s[2])};
  pool_run(adam_task, &j, j.tasks, threads);
}
