/* Sliding-window scores of a linear classifier (the reference backend's backends/reference/window-scores.ts). */
#ifndef TENSILE_WINDOW_SCORES_H
#define TENSILE_WINDOW_SCORES_H

/* map [map_height, map_width, channels], weights [window_height, window_width, channels] → out
 * [map_height − window_height + 1, map_width − window_width + 1]. Returns 0, or −1 when out of memory. */
int window_scores_f32(const float *map, long map_height, long map_width, long channels, const float *weights, long window_height,
                      long window_width, float *out, int threads);

#endif
