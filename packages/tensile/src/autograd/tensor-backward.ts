/**
 * `tensor.backward()`: declared on Tensor by module augmentation and attached to its prototype
 * here, so that `tensor/` does not import the tape. Loaded by the library entry (`index.ts`).
 */
import { Tensor } from '../tensor/tensor.js';
import { backward, type BackwardOptions } from './backward.js';

declare module '../tensor/tensor.js' {
  interface Tensor {
    /** Back-propagates from this tensor into the `.grad` of every leaf that requires a gradient. */
    backward(gradient?: Tensor, options?: BackwardOptions): void;
  }
}

Object.defineProperty(Tensor.prototype, 'backward', {
  value(this: Tensor, gradient?: Tensor, options?: BackwardOptions): void {
    backward(this, gradient, options);
  },
  writable: true,
  configurable: true,
});
