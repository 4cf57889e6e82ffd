/*
 * The thread pool. Workers sleep on a condition variable between jobs (the machine may be shared,
 * so no spinning while idle). A job's tasks are claimed from one atomic word holding the job's
 * generation and the next task index, so a worker that wakes late — after the caller has run
 * every task itself, or once the next job is posted — can never claim a task of the wrong job; the
 * caller waits only for tasks actually claimed, not for sleeping workers to wake. A worker copies the
 * job (function, context, task count) under the mutex when it sees a new generation: reading the
 * shared fields while claiming raced with the caller posting the next job — a late worker could
 * pair the old generation's claim word with the new job's task count and run a task index the old
 * job never had, on a context whose stack frame was gone (the likely cause of the native 2-thread
 * bench crash). Workers do not spin between jobs: on this shared 2-core machine a worker watching
 * for the next job made back-to-back 2-thread products slower, not faster.
 */
#include "pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>

#define MAX_WORKERS 63

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t run_mu = PTHREAD_MUTEX_INITIALIZER;
static task_fn job_fn;
static void *job_ctx;
static long job_tasks;
/* (generation << 32) | next task index. */
static _Atomic uint64_t claim;
static atomic_long finished;
static uint32_t generation;
static int workers;

/* Runs tasks of job `gen` (fn, ctx, ntasks: that job's, never re-read) until none is left to claim. */
static void drain(uint32_t gen, task_fn fn, void *ctx, long ntasks) {
  for (;;) {
    uint64_t cur = atomic_load(&claim);
    if ((uint32_t)(cur >> 32) != gen || (long)(uint32_t)cur >= ntasks) return;
    if (!atomic_compare_exchange_weak(&claim, &cur, cur + 1)) continue;
    fn(ctx, (long)(uint32_t)cur);
    atomic_fetch_add(&finished, 1);
  }
}

static void *worker_main(void *arg) {
  uint32_t seen = (uint32_t)(uintptr_t)arg;
  pthread_mutex_lock(&mu);
  for (;;) {
    while (generation == seen) pthread_cond_wait(&wake, &mu);
    seen = generation;
    task_fn fn = job_fn;
    void *ctx = job_ctx;
    long ntasks = job_tasks;
    pthread_mutex_unlock(&mu);
    drain(seen, fn, ctx, ntasks);
    pthread_mutex_lock(&mu);
  }
  return NULL;
}

void pool_reserve(int threads) {
  pthread_mutex_lock(&mu);
  while (workers < threads - 1 && workers < MAX_WORKERS) {
    pthread_t id;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    /* The worker starts from the current generation (read under mu), so it sees the next job as new. */
    int failed = pthread_create(&id, &attr, worker_main, (void *)(uintptr_t)generation);
    pthread_attr_destroy(&attr);
    if (failed) break;
    workers++;
  }
  pthread_mutex_unlock(&mu);
}

void pool_run(task_fn fn, void *ctx, long ntasks, int threads) {
  if (ntasks <= 1 || threads <= 1 || workers == 0) {
    for (long t = 0; t < ntasks; t++) fn(ctx, t);
    return;
  }
  /* One job at a time: kernels are called from one JS thread, but stay safe if not. */
  pthread_mutex_lock(&run_mu);
  pthread_mutex_lock(&mu);
  job_fn = fn;
  job_ctx = ctx;
  job_tasks = ntasks;
  atomic_store(&finished, 0);
  uint32_t gen = ++generation;
  atomic_store(&claim, (uint64_t)gen << 32);
  pthread_cond_broadcast(&wake);
  pthread_mutex_unlock(&mu);
  drain(gen, fn, ctx, ntasks);
  /* Every task is claimed; the ones still running finish soon. */
  while (atomic_load(&finished) < ntasks) sched_yield();
  pthread_mutex_unlock(&run_mu);
}

void pool_share(long n, long tasks, long t, long *start, long *end) {
  long per = (n + tasks - 1) / tasks;
  *start = t * per < n ? t * per : n;
  *end = *start + per < n ? *start + per : n;
}
