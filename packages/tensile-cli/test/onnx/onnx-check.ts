/** What the ONNX Runtime tests share: the official ONNX checker, and Tensile vs ONNX Runtime on one input. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import type { Model, SymbolicTensor, Tensor } from 'tensile';
import { decodeOnnx, encodeOnnx } from 'tensile/node';
import { tempDir } from 'tensile-test-support';

/** The largest |Tensile − ONNX Runtime| an exported model may show. */
export const TOLERANCE = 1e-4;

const run = promisify(execFile);

/** A Python with the official `onnx` package (Debian's python3-onnx), or null. */
async function pythonWithOnnx(): Promise<string | null> {
  for (const python of ['/usr/bin/python3', 'python3']) {
    if (await run(python, ['-c', 'import onnx']).then(() => true, () => false)) return python;
  }
  return null;
}

/** The official ONNX checker (full check: shape inference included) on `bytes`; skipped with a note without it. */
export async function checkWithOnnx(t: { diagnostic(message: string): void }, bytes: Uint8Array): Promise<void> {
  const python = await pythonWithOnnx();
  if (python === null) {
    t.diagnostic('no Python with the onnx package (apt-get install python3-onnx): the official checker was not run');
    return;
  }
  const file = path.join(await tempDir('tensile-onnx-check-'), 'model.onnx');
  await writeFile(file, bytes);
  const { stdout } = await run(python, ['-c', 'import onnx, sys; m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); print("checked", onnx.__version__)', file]);
  t.diagnostic(`onnx.checker (full check): ${stdout.trim()}`);
}

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
