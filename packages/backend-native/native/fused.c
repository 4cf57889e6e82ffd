/*
 * Fused elementwise programs, interpreted a tile at a time: each step runs over TILE values of its
 * operand slots (inputs read in place, scalars spread over one tile, step results in a per-thread
 * scratch), so the loops vectorise and nothing but the result goes back to memory. Every step rounds
 * to float32 exactly as the separate kernels (elementwise.c) do, so a fused pass gives their bits:
 * float +, −, ×, ÷ and sqrt are correctly rounded, as the double-then-round of the unary kernels is.
 */
#include "fused.h"

#include <math.h>
#include <stdlib.h>

#include "pool.h"
#include "scratch.h"

#define TILE 256
/* Below this many elements one thread is faster than waking the others. */
#define PARALLEL_MIN 32768

const char *const FUSED_OPS[] = {"add", "sub", "mul", "div", "maximum", "minimum", "neg", "abs", "sqrt", "square", "relu", "reciprocal", "reluGrad"};
const int FUSED_OP_COUNT = sizeof FUSED_OPS / sizeof *FUSED_OPS;

typedef struct {
  const int *steps;
  int nsteps, ninputs, tasks;
  const float *const *inputs;
  const int *scalar;
  float *out;
  long n;
} fused_job;

static void run_step(int op, const float *restrict a, const float *restrict b, float *restrict o, long len) {
#define MAP(expr)                 \
  for (long i = 0; i < len; i++) { \
    float x = a[i];               \
    o[i] = (expr);                \
  }                               \
  break;
#define MAP2(expr)                \
  for (long i = 0; i < len; i++) { \
    float x = a[i], y = b[i];     \
    o[i] = (expr);                \
  }                               \
  break;
  switch (op) {
    case 0: MAP2(x + y)
    case 1: MAP2(x - y)
    case 2: MAP2(x * y)
    case 3: MAP2(x / y)
    case 4: MAP2(x > y || isnan(x) ? x : y)
    case 5: MAP2(x < y || isnan(x) ? x : y)
    case 6: MAP(-x)
    case 7: MAP(fabsf(x))
    case 8: MAP(sqrtf(x))
    case 9: MAP(x * x)
    case 10: MAP(x <= 0 ? 0 : x)
    case 11: MAP(1 / x)
    case 12: MAP2(y > 0 ? x : 0)
  }
#undef MAP
#undef MAP2
}

static void fused_task(void *ctx, long t) {
  const fused_job *j = ctx;
  int slots = j->ninputs + j->nsteps;
  float *scratch = thread_scratch(SCRATCH_TASK, (size_t)slots * TILE * sizeof(float));
  if (!scratch) abort();
  /* Scalars spread once over their input's tile. */
  for (int k = 0; k < j->ninputs; k++)
    if (j->scalar[k])
      for (int i = 0; i < TILE; i++) scratch[k * TILE + i] = j->inputs[k][0];
  long i0, i1;
  pool_share(j->n, j->tasks, t, &i0, &i1);
  const float *slot[slots];
  for (long base = i0; base < i1; base += TILE) {
    long len = i1 - base < TILE ? i1 - base : TILE;
    for (int k = 0; k < j->ninputs; k++) slot[k] = j->scalar[k] ? scratch + k * TILE : j->inputs[k] + base;
    for (int s = 0; s < j->nsteps; s++) {
      const int *step = j->steps + 3 * s;
      float *o = s == j->nsteps - 1 ? j->out + base : scratch + (j->ninputs + s) * TILE;
      run_step(step[0], slot[step[1]], slot[step[2]], o, len);
      slot[j->ninputs + s] = o;
    }
  }
}

void fused_f32(const int *steps, int nsteps, const float *const *inputs, const int *scalar, int ninputs, float *out, long n, int threads) {
  if (n <= 0 || nsteps <= 0) return;
  fused_job j = {steps, nsteps, ninputs, n >= PARALLEL_MIN && threads > 1 ? threads : 1, inputs, scalar, out, n};
  pool_run(fused_task, &j, j.tasks, threads);
}
