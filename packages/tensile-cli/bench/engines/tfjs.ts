/** TensorFlow.js peers: the pure-JS 'cpu' backend and the single-threaded 'wasm' backend. */
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { Engine, WorkloadId } from '../workloads.js';
import { kernelWorkloads } from './kernel-workloads.js';
import { tfjsFaceWorkloads } from './tfjs-faces.js';

function mnistModel(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 10 }),
    ],
  });
}

function mlpModel(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [122], units: 256, activation: 'relu' }),
      tf.layers.dense({ units: 128, activation: 'relu' }),
      tf.layers.dense({ units: 2 }),
    ],
  });
}

function trainStep(model: tf.Sequential, x: tf.Tensor, classes: number): () => Promise<unknown> {
  const labels = tf.oneHot(tf.randomUniform([x.shape[0]!], 0, classes, 'int32') as tf.Tensor1D, classes);
  model.compile({ optimizer: tf.train.adam(1e-3), loss: (y, p) => tf.losses.softmaxCrossEntropy(y, p) });
  return () => model.trainOnBatch(x, labels);
}

export async function tfjsEngine(backend: 'cpu' | 'wasm'): Promise<Engine> {
  if (backend === 'wasm') {
    const require = createRequire(import.meta.url);
    setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/'));
  }
  await tf.setBackend(backend);
  await tf.ready();
  const calls: Record<WorkloadId, () => (() => unknown) | string | Promise<() => unknown>> = {
    ...kernelWorkloads<tf.Tensor>({
      rand: (shape) => tf.randomUniform(shape),
      add: (a, b) => tf.add(a, b),
      matmul: (a, b) => tf.matMul(a, b),
      conv2d: (x, filter) => tf.conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, 1, 'valid'),
    }),
    mnist_train: () =>
      backend === 'wasm' ? 'cannot train: tfjs-backend-wasm has no Conv2DBackpropFilter kernel' : trainStep(mnistModel(), tf.randomUniform([64, 28, 28, 1]), 10),
    mnist_infer: () => {
      const model = mnistModel();
      const x = tf.randomUniform([256, 28, 28, 1]);
      return () => {
        const y = model.predict(x) as tf.Tensor;
        y.dataSync();
        y.dispose();
      };
    },
    mlp_train: () => trainStep(mlpModel(), tf.randomNormal([256, 122]), 2),
    ...tfjsFaceWorkloads(tf),
    face_detect: () => 'no face detector in TF.js',
    mnist_train_jit: () => 'a Tensile compiled (jit) step; TF.js trains eagerly (compared with its mnist_train)',
    mlp_train_jit: () => 'a Tensile compiled (jit) step; TF.js trains eagerly (compared with its mlp_train)',
    face_embed_trained: () => 'the embedder trained in Tensile has no TF.js port',
  };
  return { prepare: (id) => Promise.resolve(calls[id]()) };
}
