/**
 * Random erasing (Zhong et al. 2017; torchvision's RandomErasing): with probability `probability`
 * each training image gets one rectangle — `scale` of its area, aspect ratio (height / width) in
 * `ratio` drawn log-uniformly — overwritten with a constant or with uniform noise over the value
 * range, so the network cannot lean on any one part of the photo. Identity in inference.
 */
import { add, mul } from '../../ops/arithmetic.js';
import { tensor } from '../../ops/creation.js';
import { ValueError } from '../../errors.js';
import type { Tensor } from '../../tensor/tensor.js';
import { ValueRangeAugmentation, type ValueRangeArgs } from './color-augmentation.js';
import { VALUE_RANGE_ARGS } from './color-augmentation.js';
import { optionNames } from '../../options.js';



export interface RandomErasingArgs extends ValueRangeArgs {
  /** Share of images erased (default 0.5). */
  readonly probability?: number;
  /** Range of the erased area as a share of the image (default [0.02, 0.33]). */
  readonly scale?: readonly [number, number];
  /** Range of the rectangle's height / width (default [0.3, 3.3]). */
  readonly ratio?: readonly [number, number];
  /** The fill: a constant, or 'random' for uniform noise over `valueRange` (default 0). */
  readonly value?: number | 'random';
}

/** Draws per box before falling back to leaving the image whole, as torchvision. */
const ATTEMPTS = 10;

function checkRange(range: readonly [number, number], what: string): void {
  const [low, high] = range;
  if (!(Number.isFinite(low) && Number.isFinite(high) && low > 0 && low <= high)) {
    throw new ValueError(`RandomErasing: ${what} must be [low, high] with 0 < low ≤ high, got ${JSON.stringify(range)}`);
  }
}

export class RandomErasing extends ValueRangeAugmentation<RandomErasingArgs> {
  static override readonly argNames = optionNames<RandomErasingArgs>()(...VALUE_RANGE_ARGS, 'probability', 'scale', 'ratio', 'value');

  private readonly probability: number;
  private readonly scale: [number, number];
  private readonly logRatio: [number, number];
  private readonly value: number | 'random';

  constructor(args: RandomErasingArgs = {}) {
    super(args);
    const { probability = 0.5, scale = [0.02, 0.33], ratio = [0.3, 3.3], value = 0 } = args;
    if (!(probability >= 0 && probability <= 1)) throw new ValueError(`RandomErasing: probability must be in [0, 1], got ${probability}`);
    checkRange(scale, 'scale');
    if (scale[1] > 1) throw new ValueError(`RandomErasing: scale must lie within (0, 1], got ${JSON.stringify(scale)}`);
    checkRange(ratio, 'ratio');
    if (value !== 'random' && !Number.isFinite(value)) throw new ValueError(`RandomErasing: value must be a number or 'random', got ${JSON.stringify(value)}`);
    this.probability = probability;
    this.scale = [scale[0], scale[1]];
    this.logRatio = [Math.log(ratio[0]), Math.log(ratio[1])];
    this.value = value;
  }

  /** The box erased from an image of height × width, or null when this image is left whole. */
  private drawBox(height: number, width: number): { top: number; left: number; rows: number; columns: number } | null {
    if (this.generator.random() >= this.probability) return null;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const area = this.uniform(this.scale) * height * width;
      const aspect = Math.exp(this.uniform(this.logRatio));
      const rows = Math.round(Math.sqrt(area * aspect));
      const columns = Math.round(Math.sqrt(area / aspect));
      if (rows < 1 || columns < 1 || rows > height || columns > width) continue;
      return { top: this.generator.int(0, height - rows + 1), left: this.generator.int(0, width - columns + 1), rows, columns };
    }
    return null;
  }

  protected call(x: Tensor): Tensor {
    if (!this.training) return x;
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const keep = new Float32Array(n * h * w * c).fill(1);
    const fill = new Float32Array(n * h * w * c);
    for (let image = 0; image < n; image++) {
      const box = this.drawBox(h, w);
      if (box === null) continue;
      for (let row = box.top; row < box.top + box.rows; row++) {
        for (let column = box.left; column < box.left + box.columns; column++) {
          for (let channel = 0; channel < c; channel++) {
            const i = ((image * h + row) * w + column) * c + channel;
            keep[i] = 0;
            fill[i] = this.value === 'random' ? this.uniform(this.valueRange) : this.value;
          }
        }
      }
    }
    return add(mul(x, tensor(keep, x.shape, { dtype: x.dtype })), tensor(fill, x.shape, { dtype: x.dtype }));
  }
}
