/**
 * Window scores (asm/window-scores.ts): every position's score read straight from the map, the
 * output rows split across threads when the level is large.
 */
import type { DataId, TensorRef, WindowScoresInfo } from '../../backend/contract.js';
import { PARALLEL_MIN_ELEMENTS, splitRange, type WasmRuntime } from './runtime.js';

export function windowScores(rt: WasmRuntime, map: TensorRef, weights: TensorRef, info: WindowScoresInfo): DataId {
  rt.requireFloat32('windowScores', map, weights);
  const { mapHeight, mapWidth, windowHeight, windowWidth, channels } = info;
  const positionsY = mapHeight - windowHeight + 1;
  const positionsX = mapWidth - windowWidth + 1;
  const out = rt.allocate(positionsY * positionsX, 'float32');
  const threads = rt.threadsFor(positionsY * positionsX * windowWidth * channels, PARALLEL_MIN_ELEMENTS);
  rt.runSplit('windowScoreRows', splitRange(positionsY, threads, 1).map(([start, end]) =>
    [rt.ptr(map), mapWidth, channels, rt.ptr(weights), windowHeight, windowWidth, out.ptr, start, end]));
  return out;
}
