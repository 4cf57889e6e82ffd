/**
 * face-api's face recogniser on Tensile: dlib's ResNet-34-like metric network (29 conv layers, 128-d
 * output), input 150×150 RGB in 0..255. Each conv is followed by a per-channel scale and shift (dlib's
 * affine layers, i.e. batch norm folded at training time); we fold those into the conv's filter and bias
 * once at load, so every conv is one fused conv + bias (+ ReLU) pass.
 */
import { add, avgPool2d, broadcastTo, div, fusedConv2d, matmul, maxPool2d, mean, mul, noGrad, pad, relu, scope, sub, tensor, type Tensor } from 'tensile';
import { checkedWeights, type WeightShapes } from './checked-weights.js';

export const RECOGNITION_INPUT_SIZE = 150;
export const EMBEDDING_SIZE = 128;
/** The RGB mean face-api (and dlib) subtract before dividing by 255. */
export const FACE_API_MEAN_RGB = [122.782, 117.001, 104.298] as const;

/**
 * face-api's mean colour as a whole [1, size, size, 3] image: subtracting it from a batch is one
 * same-shape pass per image instead of size² blocks of three values.
 */
export function faceApiMeanImage(size: number): Tensor {
  return broadcastTo(tensor([...FACE_API_MEAN_RGB], [3]), [1, size, size, 3]);
}

type Stage = { readonly name: string; readonly kind: 'residual' | 'down'; readonly channels: number };

const STAGES: readonly Stage[] = [
  ...[1, 2, 3].map((i) => ({ name: `conv32_${i}`, kind: 'residual' as const, channels: 32 })),
  { name: 'conv64_down', kind: 'down', channels: 64 },
  ...[1, 2, 3].map((i) => ({ name: `conv64_${i}`, kind: 'residual' as const, channels: 64 })),
  { name: 'conv128_down', kind: 'down', channels: 128 },
  ...[1, 2].map((i) => ({ name: `conv128_${i}`, kind: 'residual' as const, channels: 128 })),
  { name: 'conv256_down', kind: 'down', channels: 256 },
  ...[1, 2].map((i) => ({ name: `conv256_${i}`, kind: 'residual' as const, channels: 256 })),
  { name: 'conv256_down_out', kind: 'down', channels: 256 },
];

function convShapes(shapes: Map<string, number[]>, prefix: string, k: number, cin: number, cout: number): void {
  shapes.set(`${prefix}/conv/filters`, [k, k, cin, cout]);
  shapes.set(`${prefix}/conv/bias`, [cout]);
  shapes.set(`${prefix}/scale/weights`, [cout]);
  shapes.set(`${prefix}/scale/biases`, [cout]);
}

/** Every tensor of `face_recognition_model` with its shape, in manifest order. */
export function recognitionWeightShapes(): WeightShapes {
  const shapes = new Map<string, number[]>();
  convShapes(shapes, 'conv32_down', 7, 3, 32);
  let channels = 32;
  for (const stage of STAGES) {
    convShapes(shapes, `${stage.name}/conv1`, 3, channels, stage.channels);
    convShapes(shapes, `${stage.name}/conv2`, 3, stage.channels, stage.channels);
    channels = stage.channels;
  }
  shapes.set('fc', [256, EMBEDDING_SIZE]);
  return shapes;
}

interface FoldedConv {
  readonly filter: Tensor;
  readonly bias: Tensor;
}

export class FaceRecognitionNet {
  private readonly convs = new Map<string, FoldedConv>();
  private readonly fc: Tensor;
  private readonly meanImage = faceApiMeanImage(RECOGNITION_INPUT_SIZE);

  /** Checks `weights` against the architecture (`file` names the manifest in errors) and folds the scales. */
  constructor(weights: Readonly<Record<string, Tensor>>, file: string) {
    const w = checkedWeights(weights, recognitionWeightShapes(), 'face recogniser (face_recognition_model)', file);
    const prefixes = ['conv32_down', ...STAGES.flatMap((s) => [`${s.name}/conv1`, `${s.name}/conv2`])];
    noGrad(() => {
      for (const p of prefixes) {
        const scale = w.get(`${p}/scale/weights`)!;
        this.convs.set(p, {
          filter: mul(w.get(`${p}/conv/filters`)!, scale).keep(),
          bias: add(mul(w.get(`${p}/conv/bias`)!, scale), w.get(`${p}/scale/biases`)!).keep(),
        });
      }
    });
    this.fc = w.get('fc')!;
  }

  /** The folded conv, then `residual` added and the activation, both in the conv's output pass. */
  private conv(x: Tensor, prefix: string, strides: number, padding: 'same' | 'valid', activation: 'relu' | 'linear', residual: Tensor | null = null): Tensor {
    const { filter, bias } = this.convs.get(prefix)!;
    return fusedConv2d(x, filter, { strides, padding, bias, residual, activation });
  }

  /** relu(conv2(relu(conv1(x))) + x), the shortcut added as conv2 writes (conv + x = x + conv, bit for bit). */
  private residual(x: Tensor, name: string): Tensor {
    return this.conv(this.conv(x, `${name}/conv1`, 1, 'same', 'relu'), `${name}/conv2`, 1, 'same', 'relu', x);
  }

  /** Stride-2 block; the shortcut is a 2×2 average pool, zero-padded to the block's channels (and the block's output to the pool's size). */
  private residualDown(x: Tensor, name: string): Tensor {
    const hidden = this.conv(x, `${name}/conv1`, 2, 'valid', 'relu');
    let pooled = avgPool2d(x, { poolSize: 2, strides: 2 });
    const extraChannels = this.convs.get(`${name}/conv2`)!.filter.shape[3]! - pooled.shape[3]!;
    if (extraChannels > 0) pooled = pad(pooled, [[0, 0], [0, 0], [0, 0], [0, extraChannels]]);
    // conv2 keeps hidden's size ('same'); where the valid stride-2 conv1 lost a row, the output is padded to the pool's size.
    const grow = pooled.shape[1]! - hidden.shape[1]!;
    if (grow === 0) return this.conv(hidden, `${name}/conv2`, 1, 'same', 'relu', pooled);
    const out = pad(this.conv(hidden, `${name}/conv2`, 1, 'same', 'linear'), [[0, 0], [0, grow], [0, grow], [0, 0]]);
    return relu(add(pooled, out));
  }

  /** Raw (not normalised) 128-d descriptors of a batch of 150×150 RGB faces in 0..255, [n, 150, 150, 3] → [n, 128]. */
  forward(images: Tensor): Tensor {
    return scope(() => noGrad(() => {
      let x = div(sub(images, this.meanImage), 255);
      x = maxPool2d(this.conv(x, 'conv32_down', 2, 'valid', 'relu'), { poolSize: 3, strides: 2 });
      for (const stage of STAGES) x = stage.kind === 'down' ? this.residualDown(x, stage.name) : this.residual(x, stage.name);
      return matmul(mean(x, [1, 2]), this.fc);
    }));
  }
}
