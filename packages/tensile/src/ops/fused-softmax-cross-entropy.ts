/**
 * Softmax cross-entropy at int32 labels through the backend's one-pass kernel (Backend.softmaxCrossEntropy),
 * for the losses' common case: the op-by-op form is a dozen small kernels and their gradients.
 */
import { isGradEnabled, record } from '../autograd/graph.js';
import type { Tensor } from '../tensor/tensor.js';
import { wrap } from '../tensor/wrap.js';
import { softmax } from './activations.js';
import { mul, sub } from './arithmetic.js';
import { backendOf } from './dispatch.js';
import { oneHot } from './gather.js';
import { unsqueeze } from './reshape.js';

/**
 * The per-row losses −log softmax(logits)[label], shaped as `labels`, or null where the backend has no
 * kernel or does not store the logits' float type (the caller then composes the loss).
 * The labels are already checked.
 */
export function fusedSoftmaxCrossEntropy(logits: Tensor, labels: Tensor): Tensor | null {
  const backend = backendOf('softmaxCrossEntropy', logits, labels);
  const { softmaxCrossEntropy: kernel, softmaxCrossEntropyGrad: gradKernel } = backend;
  const dtype = logits.dtype;
  if (!kernel || !gradKernel || (dtype !== 'float32' && dtype !== 'float64') || !backend.dtypes.includes(dtype) || labels.dtype !== 'int32') return null;
  const classes = logits.shape[logits.rank - 1]!;
  const rows = labels.size;
  const [lossId, softmaxId] = kernel.call(backend, logits, labels, rows, classes);
  const losses = wrap(backend, lossId, labels.shape, dtype);
  const probabilities = wrap(backend, softmaxId, logits.shape, dtype);
  return record('softmaxCrossEntropy', losses, [logits], (dy) => [
    // While the gradient is itself recorded (createGraph), ops that carry higher derivatives.
    isGradEnabled()
      ? mul(sub(softmax(logits, -1), oneHot(labels, classes, { dtype })), unsqueeze(dy, -1))
      : wrap(backend, gradKernel.call(backend, probabilities, labels, dy, rows, classes), logits.shape, dtype),
  ]);
}
