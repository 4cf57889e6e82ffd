/**
 * Separable image resampling, the arithmetic shared by io's `resize` of RawImages and the reference
 * backend's `resizeGray` kernel; the WASM kernel (asm/resample.ts) follows it to the bit. It sits on
 * the floor because both io and the backends use it and neither may import the other.
 *
 * Each output pixel is a weighted sum of source pixels, rows first: every source row is resampled
 * along x (its sum in float64, stored as float32), then every output row sums the resampled rows
 * along y, accumulating in float32 (each step `acc + w·v` in float64, rounded to float32). For 8-bit
 * output the accumulator starts at ½ and the result is truncated to an integer modulo 256, as storing
 * into a Uint8Array does; otherwise it starts at 0.
 */

/** `bilinear`: half-pixel centres, as in TF 2 / PyTorch (align_corners=false). `area`: exact box averaging, best for shrinking. */
export type ResizeMethod = 'bilinear' | 'area';

/** For each output index along one axis: the source indices it reads and their weights (summing to 1). */
export interface ResampleTaps {
  readonly start: Int32Array;
  readonly count: Int32Array;
  /** `maxTaps` per output index. */
  readonly weight: Float32Array;
  readonly maxTaps: number;
}

/** The taps of resampling `source` pixels to `target` pixels along one axis. */
export function resampleTaps(source: number, target: number, method: ResizeMethod): ResampleTaps {
  return method === 'area' ? areaTaps(source, target) : bilinearTaps(source, target);
}

function bilinearTaps(source: number, target: number): ResampleTaps {
  const start = new Int32Array(target);
  const count = new Int32Array(target).fill(source === 1 ? 1 : 2);
  const weight = new Float32Array(target * 2);
  const scale = source / target;
  for (let i = 0; i < target; i++) {
    const position = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), source - 1);
    const left = Math.min(Math.floor(position), source - 2 < 0 ? 0 : source - 2);
    const fraction = source === 1 ? 0 : position - left;
    start[i] = left;
    weight[2 * i] = 1 - fraction;
    weight[2 * i + 1] = fraction;
  }
  return { start, count, weight, maxTaps: 2 };
}

function areaTaps(source: number, target: number): ResampleTaps {
  const scale = source / target;
  const maxTaps = Math.ceil(scale) + 1;
  const start = new Int32Array(target);
  const count = new Int32Array(target);
  const weight = new Float32Array(target * maxTaps);
  for (let i = 0; i < target; i++) {
    const from = i * scale;
    const to = (i + 1) * scale;
    const first = Math.floor(from);
    const last = Math.min(Math.ceil(to), source);
    start[i] = first;
    count[i] = last - first;
    for (let s = first; s < last; s++) {
      const overlap = Math.min(to, s + 1) - Math.max(from, s);
      weight[i * maxTaps + (s - first)] = overlap / scale;
    }
  }
  return { start, count, weight, maxTaps };
}

/** Source and target sizes of a resampling, and its channels (interleaved, HWC). */
export interface ResampleSize {
  readonly width: number;
  readonly height: number;
  readonly outWidth: number;
  readonly outHeight: number;
  readonly channels: number;
}

/**
 * Resamples `input` (HWC) into `out` with the given taps; a Uint8Array `out` gets the 8-bit rounding
 * described above.
 */
export function resampleInto(input: ArrayLike<number>, size: ResampleSize, horizontal: ResampleTaps, vertical: ResampleTaps, out: Float32Array | Uint8Array): void {
  const { width, height, outWidth, outHeight, channels } = size;
  const rows = new Float32Array(height * outWidth * channels);
  for (let y = 0; y < height; y++) resampleLine(input, y * width * channels, channels, horizontal, rows, y * outWidth * channels);
  const rounding = out instanceof Uint8Array ? 0.5 : 0;
  // Whole rows at a time: each output row is a weighted sum of contiguous resampled rows.
  const rowLength = outWidth * channels;
  const row = new Float32Array(rowLength);
  for (let y = 0; y < outHeight; y++) {
    row.fill(rounding);
    for (let k = 0; k < vertical.count[y]!; k++) {
      const w = vertical.weight[y * vertical.maxTaps + k]!;
      const from = (vertical.start[y]! + k) * rowLength;
      for (let i = 0; i < rowLength; i++) row[i]! += w * rows[from + i]!;
    }
    out.set(row, y * rowLength);
  }
}

/** One row along x: out[outOffset + i·channels + c] = Σ_k w_ik · in[inOffset + (start_i + k)·channels + c]. */
function resampleLine(input: ArrayLike<number>, inOffset: number, channels: number, taps: ResampleTaps, output: Float32Array, outOffset: number): void {
  for (let i = 0; i < taps.start.length; i++) {
    const base = taps.start[i]!;
    const n = taps.count[i]!;
    for (let c = 0; c < channels; c++) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += taps.weight[i * taps.maxTaps + k]! * input[inOffset + (base + k) * channels + c]!;
      output[outOffset + i * channels + c] = sum;
    }
  }
}
