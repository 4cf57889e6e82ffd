/**
 * The model workloads of WORKLOADS.md (mnist_train, mnist_infer, mlp_train) through Tensile's
 * layers and optimizer API: Sequential models with default initialisers, softmax cross-entropy on
 * logits with int32 labels, Adam (lr 1e-3). One training step = zero grads + forward + loss +
 * backward + Adam update + read the loss scalar, inside a scope that frees the step's tensors.
 */
import * as tl from 'tensile';

function mnistModel(): tl.Sequential {
  return new tl.Sequential([
    new tl.Conv2D({ filters: 32, kernelSize: 3, activation: 'relu' }),
    new tl.MaxPool2D({ poolSize: 2 }),
    new tl.Conv2D({ filters: 64, kernelSize: 3, activation: 'relu' }),
    new tl.MaxPool2D({ poolSize: 2 }),
    new tl.Flatten(),
    new tl.Dense({ units: 128, activation: 'relu' }),
    new tl.Dense({ units: 10 }),
  ], { inputShape: [28, 28, 1] });
}

function mlpModel(): tl.Sequential {
  return new tl.Sequential([
    new tl.Dense({ units: 256, activation: 'relu' }),
    new tl.Dense({ units: 128, activation: 'relu' }),
    new tl.Dense({ units: 2 }),
  ], { inputShape: [122] });
}

function trainStep(model: tl.Sequential, x: tl.Tensor, labels: tl.Tensor): () => number {
  const optimizer = new tl.Adam(model.parameters(), { learningRate: 1e-3 });
  return () =>
    tl.scope(() => {
      optimizer.zeroGrad();
      const loss = tl.softmaxCrossEntropy(model.forward(x), labels);
      loss.backward();
      optimizer.step();
      return loss.item();
    });
}

/**
 * The same step compiled with jit: traced on the first (warm-up) call, replayed afterwards. Tracing
 * and optimising times go to stderr with the graph's size, once.
 */
function compiledTrainStep(name: string, model: tl.Sequential, x: tl.Tensor, labels: tl.Tensor): () => number {
  const optimizer = new tl.Adam(model.parameters(), { learningRate: 1e-3 });
  const step = tl.jit((xb: tl.Tensor, yb: tl.Tensor) => {
    optimizer.zeroGrad();
    const loss = tl.softmaxCrossEntropy(model.forward(xb), yb);
    loss.backward();
    optimizer.step();
    optimizer.zeroGrad();
    return loss;
  });
  let calls = 0;
  return () =>
    tl.scope(() => {
      const loss = step(x, labels).item();
      const [graph] = step.graphs;
      // After the second call: the first replay generated the fused kernels.
      if (++calls === 2 && graph) {
        const codegen = tl.memory().backends[tl.getBackend().name]?.['fusedKernelMs'] ?? 0;
        process.stderr.write(
          `  ${name}: traced in ${graph.traceMs.toFixed(1)} ms (one eager step included), optimised in ${graph.optimizeMs.toFixed(1)} ms, ` +
            `fused kernels generated in ${codegen.toFixed(1)} ms; ${graph.traced.nodes.length} → ${graph.optimized.nodes.length} kernel calls\n`,
        );
      }
      return loss;
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
  mnist_train_jit: (): (() => unknown) => compiledTrainStep('mnist_train_jit', mnistModel(), tl.rand([64, 28, 28, 1]), tl.randint(0, 10, [64])),
  mlp_train_jit: (): (() => unknown) => compiledTrainStep('mlp_train_jit', mlpModel(), tl.randn([256, 122]), tl.randint(0, 2, [256])),
};
