/**
 * End-to-end: `--backend native` trains on @tensile/backend-native when it is built, and otherwise
 * says so in one line and trains on WASM (which of the two this checkout gets depends on whether
 * the package could be compiled here).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sharedDataRoot } from 'tensile-test-support';
import { loadNativeBackend } from '../../src/cli/backend.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

it('--backend native trains on the native backend, or says in one line that it is unavailable and uses wasm', async () => {
  const unavailable = await loadNativeBackend();
  const { stdout, stderr } = await run(
    process.execPath,
    [cli, '--data-root', sharedDataRoot, '--backend', 'native', '--json', 'train', 'mnist', '--epochs', '1', '--train-limit', '128', '--test-limit', '100'],
    { maxBuffer: 1 << 24 },
  );
  const result = JSON.parse(stdout) as { trainSamples: number; testAccuracy: number };
  assert.equal(result.trainSamples, 128);
  assert.ok(result.testAccuracy > 0.1, `accuracy ${result.testAccuracy}`);
  const notes = stderr.split('\n').filter((line) => /native/.test(line));
  if (unavailable === undefined) assert.deepEqual(notes, []);
  else assert.deepEqual(notes, [`tensile: --backend native unavailable: ${unavailable}; using wasm`]);
});
