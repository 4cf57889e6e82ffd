/**
 * The MNIST CNN of bench/WORKLOADS.md (Ertam & Aydın's design: two conv/pool stages, a
 * dense layer, softmax over 10 digits), with the activation as a parameter for the study and an
 * optional dropout before the classifier (their TensorFlow network has one; it adds no parameters).
 */
import { type ActivationName, Conv2D, Dense, Dropout, Flatten, MaxPool2D, Sequential } from 'tensile';

/** Conv 32·3×3 → pool 2 → conv 64·3×3 → pool 2 → dense 128 → [dropout] → dense 10 (logits); 225,034 parameters. */
export function mnistCnn(activation: ActivationName = 'relu', dropout = 0): Sequential {
  return new Sequential(
    [
      new Conv2D({ filters: 32, kernelSize: 3, activation }),
      new MaxPool2D({ poolSize: 2 }),
      new Conv2D({ filters: 64, kernelSize: 3, activation }),
      new MaxPool2D({ poolSize: 2 }),
      new Flatten(),
      new Dense({ units: 128, activation }),
      ...(dropout > 0 ? [new Dropout({ rate: dropout })] : []),
      new Dense({ units: 10 }),
    ],
    { name: `mnist_cnn_${activation}`, inputShape: [28, 28, 1] },
  );
}
