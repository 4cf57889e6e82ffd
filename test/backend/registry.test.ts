import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

describe('ready()', () => {
  it('resolves once the default backend runs on all its threads', () => {
    // A fresh process, so the default backend is created by ready() itself, with its workers still starting.
    const url = (file: string): string => JSON.stringify(new URL(file, import.meta.url).href);
    const script = `
      process.env.TENSILE_THREADS = '2';
      await import(${url('../../src/node.js')});
      const { ready } = await import(${url('../../src/backend/registry.js')});
      const backend = await ready();
      console.log(JSON.stringify({ name: backend.name, threads: backend.threads }));
      backend.dispose();`;
    // A script file, not --eval: the worker threads inherit the process's flags, and --input-type breaks them.
    const dir = mkdtempSync(join(tmpdir(), 'tensile-ready-'));
    try {
      writeFileSync(join(dir, 'ready.mjs'), script);
      const output = execFileSync(process.execPath, [join(dir, 'ready.mjs')], { encoding: 'utf8' });
      assert.deepEqual(JSON.parse(output), { name: 'wasm', threads: 2 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
