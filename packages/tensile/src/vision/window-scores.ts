/**
 * Sliding-window scores of a linear classifier over a feature map: the weights' dot product with the
 * window at every position (a valid 2-D cross-correlation summed over channels, one output channel).
 * The reference backend's `backends/reference/window-scores.ts` is the specification.
 */
import { ShapeError } from '../errors.js';
import { backendOf, requireDType, requireTensor } from '../ops/dispatch.js';
import { defineOp } from '../ops/registry.js';
import type { Tensor } from '../tensor/tensor.js';
import { wrap } from '../tensor/wrap.js';

/** `map` [height, width, channels], `weights` [windowHeight, windowWidth, channels] → [height − windowHeight + 1, width − windowWidth + 1]. */
export const windowScores = defineOp('windowScores', 'nondifferentiable', (map: Tensor, weights: Tensor): Tensor => {
  requireTensor('windowScores', map, 'map');
  requireTensor('windowScores', weights, 'weights');
  requireDType('windowScores', map, ['float32'], 'map');
  requireDType('windowScores', weights, ['float32'], 'weights');
  if (map.rank !== 3 || weights.rank !== 3 || map.shape[2] !== weights.shape[2]) {
    throw new ShapeError(`windowScores: map [height, width, channels] and weights [windowHeight, windowWidth, channels] needed, got [${map.shape.join(',')}] and [${weights.shape.join(',')}]`);
  }
  const [mapHeight, mapWidth, channels] = map.shape as [number, number, number];
  const [windowHeight, windowWidth] = weights.shape as [number, number];
  if (windowHeight > mapHeight || windowWidth > mapWidth || windowHeight === 0 || windowWidth === 0) {
    throw new ShapeError(`windowScores: a ${windowHeight}×${windowWidth} window does not fit a ${mapHeight}×${mapWidth} map`);
  }
  const backend = backendOf('windowScores', map, weights);
  return wrap(backend, backend.windowScores(map, weights, { mapHeight, mapWidth, windowHeight, windowWidth, channels }), [mapHeight - windowHeight + 1, mapWidth - windowWidth + 1], 'float32');
}, { maxArgs: 2 });
