/** What the ONNX Runtime tests share: Tensile vs ONNX Runtime on one input. */
import assert from 'node:assert/strict';
import { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import type { Model, SymbolicTensor, Tensor } from 'tensile';
import { decodeOnnx, encodeOnnx } from 'tensile/node';

/** The largest |Tensile − ONNX Runtime| an exported model may show. */
export const TOLERANCE = 1e-4;

/**
 * The largest |Tensile − ONNX Runtime| over the model's output for `x`; the file read back by
 * Tensile's import (export → import) must give Tensile's output too.
 */
export async function maxDifference(model: Model<SymbolicTensor>, x: Tensor, bytes = encodeOnnx(model)): Promise<number> {
  const session = await InferenceSession.create(bytes);
  const feeds = { [session.inputNames[0]!]: new OrtTensor('float32', Float32Array.from(x.dataSync()), [...x.shape]) };
  const result = await session.run(feeds);
  const actual = result[session.outputNames[0]!]!;
  const expected = model.predict(x);
  assert.deepEqual([...actual.dims], [...expected.shape], 'output shapes');
  const a = actual.data as Float32Array;
  const e = expected.dataSync();
  const imported = decodeOnnx(bytes).predict(x).dataSync();
  const roundTrip = Array.from(e).reduce((worst, v, i) => Math.max(worst, Math.abs(v - imported[i]!)), 0);
  assert.ok(roundTrip < 1e-5, `export → import differs by ${roundTrip}`);
  return Array.from(e).reduce((worst, v, i) => Math.max(worst, Math.abs(v - a[i]!)), 0);
}
