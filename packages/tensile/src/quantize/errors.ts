import { TensileError } from '../errors.js';

/** A model the int8 path cannot represent (unsupported layer or setting), named by layer. */
export class QuantizationError extends TensileError {
  constructor(
    readonly layer: string,
    readonly problem: string,
  ) {
    super(`quantize: layer '${layer}': ${problem}`);
  }
}
