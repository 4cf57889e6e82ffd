import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { moduleUrl, runInFreshProcess } from '../helpers/fresh-process.js';

describe('ready()', () => {
  it('resolves once the default backend runs on all its threads', async () => {
    // ready() creates the default backend itself, so its workers are still starting when it is called.
    const output = await runInFreshProcess(`
      await import(${moduleUrl('../../src/node.js', import.meta.url)});
      const { ready } = await import(${moduleUrl('../../src/backend/registry.js', import.meta.url)});
      const backend = await ready();
      console.log(JSON.stringify({ name: backend.name, threads: backend.threads }));
      backend.dispose();`, { env: { TENSILE_THREADS: '2' } });
    assert.deepEqual(JSON.parse(output), { name: 'wasm', threads: 2 });
  });
});
