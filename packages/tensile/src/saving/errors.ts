import { TensileError } from '../errors.js';

/** A model or weights file that cannot be read: truncated, corrupt, foreign, or for another model. */
export class ModelFileError extends TensileError {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}
