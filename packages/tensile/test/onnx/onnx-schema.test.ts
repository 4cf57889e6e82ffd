/** The generated ONNX descriptor is the vendored official schema's (scripts/onnx-schema.mjs --check). */
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const script = fileURLToPath(new URL('../../../scripts/onnx-schema.mjs', import.meta.url));

describe('onnx schema', () => {
  it('src/onnx/onnx-schema.ts is generated from src/onnx/onnx.proto as committed', async () => {
    await run(process.execPath, [script, '--check']);
  });
});
