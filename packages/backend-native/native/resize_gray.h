/* Resampling a gray image with precomputed taps (tensile's backend/resample.ts is the specification). */
#ifndef TENSILE_RESIZE_GRAY_H
#define TENSILE_RESIZE_GRAY_H

/* One axis's taps: output index i reads count[i] source pixels from start[i] with the weights
 * weight[i·max_taps …]. */
typedef struct {
  const int *start, *count;
  const float *weight;
  long max_taps;
} resample_taps;

/* image: [height, width] → out: [out_height, out_width]; uint8: rounded and truncated to 8 bits, as
 * storing into a Uint8Array does. Returns 0, or −1 when out of memory. */
int resize_gray_f32(const float *image, long height, long width, float *out, long out_height, long out_width, const resample_taps *x,
                    const resample_taps *y, int uint8, int threads);

#endif
