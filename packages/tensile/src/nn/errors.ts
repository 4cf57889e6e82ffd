import { TensileError } from '../errors.js';

/** A state dict that does not fit a module: missing, unexpected or mis-shaped entries. */
export class StateDictError extends TensileError {}

/** A layer misused: called with the wrong kind of input, configured inconsistently. */
export class LayerError extends TensileError {}
