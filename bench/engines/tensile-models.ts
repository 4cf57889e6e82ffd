/**
 * The model workloads of WORKLOADS.md (mnist_train, mnist_infer, mlp_train) on Tensile's core ops:
 * conv2d, maxPool2d, matmul, relu, softmaxCrossEntropy, `gradients`, and an Adam update under
 * `noGrad` in the Keras/TF.js form (lr 1e-3, β 0.9/0.999, ε 1e-7; step lr·√(1−β₂ᵗ)/(1−β₁ᵗ)).
 * Initialisers are PyTorch's defaults (uniform ±1/√fanIn); values do not matter for speed.
 */
import * as tl from '../../src/index.js';

interface Layer {
  readonly weight: tl.Tensor;
  readonly bias: tl.Tensor;
}

function parameter(shape: number[], fanIn: number): tl.Tensor {
  const bound = 1 / Math.sqrt(fanIn);
  return tl.rand(shape, { low: -bound, high: bound }).requiresGrad_();
}

function convLayer(inChannels: number, filters: number): Layer {
  const fanIn = 9 * inChannels;
  return { weight: parameter([3, 3, inChannels, filters], fanIn), bias: parameter([filters], fanIn) };
}

/** Dense weights are stored [in, out] so the forward pass is one plain matmul. */
function denseLayer(inputs: number, units: number): Layer {
  return { weight: parameter([inputs, units], inputs), bias: parameter([units], inputs) };
}

const dense = (x: tl.Tensor, layer: Layer): tl.Tensor => tl.add(tl.matmul(x, layer.weight), layer.bias);
const conv = (x: tl.Tensor, layer: Layer): tl.Tensor => tl.relu(tl.add(tl.conv2d(x, layer.weight, { padding: 'valid' }), layer.bias));

type Model = { readonly layers: readonly Layer[]; forward(x: tl.Tensor): tl.Tensor };

function mnistModel(): Model {
  const layers = [convLayer(1, 32), convLayer(32, 64), denseLayer(1600, 128), denseLayer(128, 10)] as const;
  return {
    layers,
    forward: (x) => {
      let h = tl.maxPool2d(conv(x, layers[0]), { poolSize: 2 });
      h = tl.maxPool2d(conv(h, layers[1]), { poolSize: 2 });
      h = tl.relu(dense(tl.reshape(h, [h.shape[0]!, -1]), layers[2]));
      return dense(h, layers[3]);
    },
  };
}

function mlpModel(): Model {
  const layers = [denseLayer(122, 256), denseLayer(256, 128), denseLayer(128, 2)] as const;
  return {
    layers,
    forward: (x) => dense(tl.relu(dense(tl.relu(dense(x, layers[0])), layers[1])), layers[2]),
  };
}

/** One Adam step per call over `params`, with moment slots kept across calls. */
function adam(params: readonly tl.Tensor[], lr = 1e-3, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7): (grads: readonly tl.Tensor[]) => void {
  const m = params.map((p) => tl.zerosLike(p));
  const v = params.map((p) => tl.zerosLike(p));
  let t = 0;
  return (grads) => {
    t++;
    const stepSize = (lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
    tl.noGrad(() => {
      params.forEach((p, i) => {
        const g = grads[i]!;
        m[i]!.assign(tl.add(tl.mul(m[i]!, beta1), tl.mul(g, 1 - beta1)));
        v[i]!.assign(tl.add(tl.mul(v[i]!, beta2), tl.mul(tl.square(g), 1 - beta2)));
        p.assign(tl.sub(p, tl.mul(tl.div(m[i]!, tl.add(tl.sqrt(v[i]!), epsilon)), stepSize)));
      });
    });
  };
}

/** zero grads (none kept: `gradients` returns fresh ones) + forward + loss + backward + Adam + read the loss. */
function trainStep(model: Model, x: tl.Tensor, labels: tl.Tensor): () => number {
  const params = model.layers.flatMap((l) => [l.weight, l.bias]);
  const update = adam(params);
  return () =>
    tl.scope(() => {
      const loss = tl.softmaxCrossEntropy(model.forward(x), labels);
      update(tl.gradients(loss, params));
      return loss.item();
    });
}

export const modelWorkloads = {
  mnist_train: (): (() => unknown) => trainStep(mnistModel(), tl.rand([64, 28, 28, 1]), tl.randint(0, 10, [64])),
  mnist_infer: (): (() => unknown) => {
    const model = mnistModel();
    const x = tl.rand([256, 28, 28, 1]);
    return () => tl.scope(() => tl.noGrad(() => model.forward(x).dataSync()));
  },
  mlp_train: (): (() => unknown) => trainStep(mlpModel(), tl.randn([256, 122]), tl.randint(0, 2, [256])),
};
