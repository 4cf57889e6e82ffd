/** Random weights for the interchange tests (ONNX, PyTorch). */
import { type Model, rand, randn, type SymbolicTensor } from 'tensile';

/** Biases and normalisation statistics made random too, so that every weight is exercised. */
export function randomizeWeights(model: Model<SymbolicTensor | readonly SymbolicTensor[]>): void {
  for (const [name, t] of [...model.namedParameters(), ...model.namedBuffers()]) {
    if (name.endsWith('movingVariance')) t.assign(rand(t.shape).mul(1.5).add(0.5));
    else if (name.endsWith('.bias') || name.endsWith('movingMean') || name.endsWith('.beta') || name.endsWith('.gamma')) t.assign(randn(t.shape).mul(0.3));
  }
}
