/**
 * Window scores, the specification: at every position where the window fits, the sum over the
 * window's rows of the dot product of that row of the map (windowWidth·channels contiguous floats)
 * with the weights' row, each in float64; the WASM kernel rounds to float32 along the way.
 */
import type { TypedArray, WindowScoresInfo } from '../../backend/contract.js';

export function windowScores(map: TypedArray, weights: TypedArray, info: WindowScoresInfo): Float32Array {
  const { mapHeight, mapWidth, windowHeight, windowWidth, channels } = info;
  const positionsY = mapHeight - windowHeight + 1;
  const positionsX = mapWidth - windowWidth + 1;
  const rowLength = windowWidth * channels;
  const out = new Float32Array(positionsY * positionsX);
  for (let y = 0; y < positionsY; y++) {
    for (let x = 0; x < positionsX; x++) {
      let score = 0;
      for (let a = 0; a < windowHeight; a++) {
        const from = ((y + a) * mapWidth + x) * channels;
        let dot = 0;
        for (let i = 0; i < rowLength; i++) dot += map[from + i]! * weights[a * rowLength + i]!;
        score += dot;
      }
      out[y * positionsX + x] = score;
    }
  }
  return out;
}
