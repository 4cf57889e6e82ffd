/* HOG features of a gray image (the reference backend's backends/reference/hog.ts is the specification). */
#ifndef TENSILE_HOG_H
#define TENSILE_HOG_H

/* image: [height, width] floats; out: [⌊height/cell⌋, ⌊width/cell⌋, 31]. Returns 0, or −1 when out of memory. */
int hog_f32(const float *image, long height, long width, long cell, float *out, int threads);

#endif
