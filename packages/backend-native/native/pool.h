/* A small persistent thread pool: pool_run executes tasks 0..ntasks-1 on the caller and the workers. */
#ifndef TENSILE_POOL_H
#define TENSILE_POOL_H

typedef void (*task_fn)(void *ctx, long task);

/* Starts workers so that `threads` threads (the caller included) can run tasks; never shrinks. */
void pool_reserve(int threads);
/* Runs every task and returns when all are done; tasks claim indices dynamically. With threads ≤ 1
 * the caller runs them all. */
void pool_run(task_fn fn, void *ctx, long ntasks, int threads);
/* Task t's run [*start, *end) of n items cut into `tasks` runs of equal length (the last shorter, empty past n). */
void pool_share(long n, long tasks, long t, long *start, long *end);

#endif
