/**
 * face-api's 68-point landmark network on Tensile: four dense blocks of depthwise-separable convolutions
 * (each block halves the size: 112 → 7), a 7×7 average pool and a fully connected layer giving 68 (x, y)
 * points as fractions of the 112×112 input.
 */
import { avgPool2d, depthwiseConv2d, div, fusedConv2d, fusedMatmul, noGrad, relu, reshape, scope, sub, type Tensor } from 'tensile';
import { checkedWeights, type WeightShapes } from './checked-weights.js';
import { faceApiMeanImage } from './recognition-net.js';

export const LANDMARK_INPUT_SIZE = 112;
export const LANDMARK_COUNT = 68;

const BLOCK_CHANNELS = [32, 64, 128, 256] as const;

/** Every tensor of `face_landmark_68_model` with its shape, in manifest order. */
export function landmarkWeightShapes(): WeightShapes {
  const shapes = new Map<string, number[]>();
  let cin = 3;
  BLOCK_CHANNELS.forEach((c, b) => {
    for (let i = 0; i < 4; i++) {
      const p = `dense${b}/conv${i}`;
      const inChannels = i === 0 ? cin : c;
      if (b === 0 && i === 0) {
        shapes.set(`${p}/filters`, [3, 3, 3, c]);
      } else {
        shapes.set(`${p}/depthwise_filter`, [3, 3, inChannels, 1]);
        shapes.set(`${p}/pointwise_filter`, [1, 1, inChannels, c]);
      }
      shapes.set(`${p}/bias`, [c]);
    }
    cin = c;
  });
  shapes.set('fc/weights', [256, 2 * LANDMARK_COUNT]);
  shapes.set('fc/bias', [2 * LANDMARK_COUNT]);
  return shapes;
}

export class FaceLandmarkNet {
  private readonly w: Map<string, Tensor>;
  private readonly meanImage = faceApiMeanImage(LANDMARK_INPUT_SIZE);

  /** Checks `weights` against the architecture; `file` names the manifest in errors. */
  constructor(weights: Readonly<Record<string, Tensor>>, file: string) {
    this.w = checkedWeights(weights, landmarkWeightShapes(), '68-point landmark network (face_landmark_68_model)', file);
  }

  /**
   * Depthwise 3×3 then pointwise 1×1 with bias (TF.js separableConv2d, 'same' padding), then
   * `residual` added and ReLU applied when asked, both in the pointwise conv's output pass.
   */
  private separable(x: Tensor, p: string, strides: number, activation: 'relu' | 'linear', residual: Tensor | null = null): Tensor {
    const depthwise = depthwiseConv2d(x, this.w.get(`${p}/depthwise_filter`)!, { strides, padding: 'same' });
    return fusedConv2d(depthwise, this.w.get(`${p}/pointwise_filter`)!, { bias: this.w.get(`${p}/bias`)!, residual, activation });
  }

  /**
   * Four convs; each later conv reads the ReLU of the sum of all earlier outputs (a dense block).
   * Each conv adds the running sum to its output as it writes it (sum + conv = conv + sum, bit for
   * bit), and the last one applies the block's ReLU too.
   */
  private denseBlock(x: Tensor, b: number): Tensor {
    const first = b === 0
      ? fusedConv2d(x, this.w.get('dense0/conv0/filters')!, { strides: 2, padding: 'same', bias: this.w.get('dense0/conv0/bias')!, activation: 'relu' })
      : this.separable(x, `dense${b}/conv0`, 2, 'relu');
    let sum = this.separable(first, `dense${b}/conv1`, 1, 'linear', first);
    sum = this.separable(relu(sum), `dense${b}/conv2`, 1, 'linear', sum);
    return this.separable(relu(sum), `dense${b}/conv3`, 1, 'relu', sum);
  }

  /** Landmarks of a batch of 112×112 RGB faces in 0..255: [n, 112, 112, 3] → [n, 68, 2] (x, y as fractions of the input). */
  forward(images: Tensor): Tensor {
    return scope(() => noGrad(() => {
      let x = div(sub(images, this.meanImage), 255);
      for (let b = 0; b < BLOCK_CHANNELS.length; b++) x = this.denseBlock(x, b);
      const pooled = avgPool2d(x, { poolSize: 7, strides: 2 });
      const out = fusedMatmul(reshape(pooled, [images.shape[0]!, -1]), this.w.get('fc/weights')!, { bias: this.w.get('fc/bias')! });
      return reshape(out, [images.shape[0]!, LANDMARK_COUNT, 2]);
    }));
  }
}
