/*
 * Stress driver for native/pool.c, compiled and run by pool.test.ts: posts jobs back to back for
 * `seconds`, alternating 2 and 64 tasks, and counts every task that runs for a job other than the
 * current one, with an index outside it, or not exactly once. Prints {"jobs", "bad"} as JSON.
 * Usage: pool-stress SECONDS THREADS
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "pool.h"

#define MAX_TASKS 64

typedef struct {
  long serial, ntasks;
  atomic_int *runs;
} job;

static atomic_long current;
static atomic_long bad;

static void task(void *ctx, long t) {
  const job *j = ctx;
  if (j->serial != atomic_load(&current) || t < 0 || t >= j->ntasks) {
    atomic_fetch_add(&bad, 1);
    return;
  }
  atomic_fetch_add(&j->runs[t], 1);
}

static double elapsed(const struct timespec *since) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - since->tv_sec) + (double)(now.tv_nsec - since->tv_nsec) * 1e-9;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: pool-stress SECONDS THREADS\n");
    return 2;
  }
  double seconds = atof(argv[1]);
  int threads = atoi(argv[2]);
  pool_reserve(threads);
  atomic_int runs[MAX_TASKS];
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  long jobs = 0;
  while (elapsed(&start) < seconds) {
    for (int r = 0; r < 1000; r++) {
      /* A short job then a long one: a worker late for the short job must not take the long one's count. */
      job j = {++jobs, jobs % 2 ? MAX_TASKS : 2, runs};
      for (long t = 0; t < j.ntasks; t++) atomic_store(&runs[t], 0);
      atomic_store(&current, j.serial);
      pool_run(task, &j, j.ntasks, threads);
      atomic_store(&current, 0);
      for (long t = 0; t < j.ntasks; t++)
        if (atomic_load(&runs[t]) != 1) atomic_fetch_add(&bad, 1);
    }
  }
  printf("{\"jobs\":%ld,\"bad\":%ld}\n", jobs, atomic_load(&bad));
  return 0;
}
