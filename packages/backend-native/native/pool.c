/*
 * The thread pool. Workers sleep on a condition variable between jobs (the machine is shared, so no
 * spinning); a job's tasks are claimed through an atomic counter, the caller taking part, so a job
 * with fewer tasks than threads leaves the extra workers idle.
 */
#include "pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#define MAX_WORKERS 63

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static pthread_cond_t done = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t run_mu = PTHREAD_MUTEX_INITIALIZER;
static task_fn job_fn;
static void *job_ctx;
static long job_tasks;
static atomic_long next_task;
static int busy_workers;
static unsigned long generation;
static int workers;

static void drain(void) {
  for (;;) {
    long t = atomic_fetch_add(&next_task, 1);
    if (t >= job_tasks) return;
    job_fn(job_ctx, t);
  }
}

/* arg: the generation when the worker was created (under mu), so a job posted before the worker
 * first takes the lock is still seen as new. */
static void *worker_main(void *arg) {
  unsigned long seen = (unsigned long)(uintptr_t)arg;
  pthread_mutex_lock(&mu);
  for (;;) {
    while (generation == seen) pthread_cond_wait(&wake, &mu);
    seen = generation;
    pthread_mutex_unlock(&mu);
    drain();
    pthread_mutex_lock(&mu);
    if (--busy_workers == 0) pthread_cond_signal(&done);
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
  atomic_store(&next_task, 0);
  busy_workers = workers;
  generation++;
  pthread_cond_broadcast(&wake);
  pthread_mutex_unlock(&mu);
  drain();
  pthread_mutex_lock(&mu);
  while (busy_workers > 0) pthread_cond_wait(&done, &mu);
  pthread_mutex_unlock(&mu);
  pthread_mutex_unlock(&run_mu);
}
