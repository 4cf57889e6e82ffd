/**
 * softmaxCrossEntropy at int32 labels through the backends' one-pass kernel (where they have one)
 * against the same loss written as logSoftmax and a gather: values and gradients on every backend,
 * second derivatives (which the kernel's gradient hands to the composite rule), and a compiled graph
 * that records the kernel itself.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  getBackend, grad, jit, logSoftmax, manualSeed, mean, neg, randint, randn, softmaxCrossEntropy, square, squeeze, sum, takeAlongAxis, unsqueeze, type Tensor,
} from '../../src/index.js';
import { assertClose } from '../helpers/assert.js';
import { forEachBackend } from '../helpers/backends.js';

const composite = (logits: Tensor, labels: Tensor): Tensor => neg(squeeze(takeAlongAxis(logSoftmax(logits, -1), unsqueeze(labels, -1), -1), -1));

forEachBackend('softmaxCrossEntropy, one kernel or op by op', () => {
  it('gives the composite losses and gradients, batch axes included', () => {
    manualSeed(8);
    const logits = randn([3, 5, 7], { std: 3 });
    const labels = randint(0, 7, [3, 5]);
    assertClose(softmaxCrossEntropy(logits, labels, { reduction: 'none' }).dataSync(), composite(logits, labels).dataSync(), { atol: 1e-6, rtol: 1e-6 });
    const fused = grad((x: Tensor) => softmaxCrossEntropy(x, labels))(logits);
    const written = grad((x: Tensor) => mean(composite(x, labels)))(logits);
    assertClose(fused.dataSync(), written.dataSync(), { atol: 1e-7, rtol: 1e-5 });
  });

  it('has the composite second derivatives', () => {
    manualSeed(9);
    const logits = randn([4, 3]);
    const labels = randint(0, 3, [4]);
    const curvature = (loss: (x: Tensor) => Tensor): Tensor => grad((x: Tensor) => sum(square(grad(loss)(x))))(logits);
    assertClose(curvature((x) => softmaxCrossEntropy(x, labels)).dataSync(), curvature((x) => mean(composite(x, labels))).dataSync(), { atol: 1e-6, rtol: 1e-4 });
  });

  it('is one kernel in a compiled graph where the backend has it, and gives the eager bits', () => {
    manualSeed(10);
    const logits = randn([6, 4]);
    const labels = randint(0, 4, [6]);
    const loss = (x: Tensor, y: Tensor): Tensor => softmaxCrossEntropy(x, y);
    const compiled = jit(loss);
    assert.deepEqual(Array.from(compiled(logits, labels).dataSync()), Array.from(loss(logits, labels).dataSync()));
    const ops = compiled.graphs[0]!.traced.nodes.map((n) => n.op);
    assert.equal(ops.includes('softmaxCrossEntropy'), getBackend().softmaxCrossEntropy !== undefined, ops.join(' '));
  });
});
