/* Per-thread scratch memory, kept between kernel calls and grown as needed. */
#ifndef TENSILE_SCRATCH_H
#define TENSILE_SCRATCH_H

#include <stddef.h>

/* A thread holds one buffer per slot: a kernel's buffers shared by its tasks are taken on the calling
 * thread from SCRATCH_SHARED, a task's own from SCRATCH_TASK (the caller runs tasks too). */
enum { SCRATCH_SHARED, SCRATCH_TASK, SCRATCH_SLOTS };

/* At least `bytes` bytes, 64-byte aligned, valid until this thread's next call for the same slot;
 * NULL when out of memory. */
void *thread_scratch(int slot, size_t bytes);

#endif
