/*
 * Per-thread scratch: a large buffer malloc'd and freed at every call is mapped and faulted in anew
 * each time (the HOG of a 640×480 frame spent a tenth of its time in page faults), so each thread
 * keeps its buffers and only grows them.
 */
#include "scratch.h"

#include <stdlib.h>

static _Thread_local void *buffers[SCRATCH_SLOTS];
static _Thread_local size_t sizes[SCRATCH_SLOTS];

void *thread_scratch(int slot, size_t bytes) {
  if (bytes <= sizes[slot]) return buffers[slot];
  size_t size = (bytes + 63) & ~(size_t)63;
  void *p = aligned_alloc(64, size);
  if (!p) return NULL;
  free(buffers[slot]);
  buffers[slot] = p;
  sizes[slot] = size;
  return p;
}
