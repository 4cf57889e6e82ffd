/** Issue #28's model-file cases: schema violations, a missing checksum, stale temp files, missing checkpoint folders. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Dense, Sequential, tensor } from '../../src/index.js';
import { ModelFileError, modelToBytes } from '../../src/saving/index.js';
import { loadModel, loadWeights, ModelCheckpoint, saveModel } from '../../src/saving/index.node.js';
import { CHECKSUM_KEY } from '../../src/saving/safetensors-format.js';
import { tempDir } from 'tensile-test-support';

function model(): Sequential {
  return new Sequential([new Dense({ units: 2, inputShape: [3] })]);
}

/** The file with its JSON header replaced by `edit(header)`, data section unchanged. */
function withHeader(bytes: Uint8Array, edit: (header: Record<string, unknown>) => void): Uint8Array {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as Record<string, unknown>;
  edit(header);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + bytes.length - 8 - length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(bytes.subarray(8 + length), 8 + json.length);
  return out;
}

async function assertModelFileError(promise: Promise<unknown>, file: string, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ModelFileError, `expected a ModelFileError, got ${String(error)}`);
    assert.ok(error.message.startsWith(file), error.message);
    assert.match(error.message, pattern);
    return true;
  });
}

test('header schema violations are ModelFileErrors naming the file, never a raw TypeError', async () => {
  const dir = await tempDir('tensile-bad-model-');
  const good = modelToBytes(model());
  const cases: [string, (h: Record<string, unknown>) => void, RegExp][] = [
    ['null-metadata', (h) => (h['__metadata__'] = null), /'__metadata__' must be an object of strings/],
    ['number-in-metadata', (h) => ((h['__metadata__'] as Record<string, unknown>)['format'] = 3), /'__metadata__' must be an object of strings/],
    ['null-entry', (h) => (h['dense.kernel'] = null), /tensor 'dense.kernel' .* must be an object/],
    ['reversed-offsets', (h) => ((h['dense.kernel'] as { data_offsets: number[] }).data_offsets.reverse()), /tensor 'dense.kernel' has invalid data_offsets/],
    ['extra-field', (h) => ((h['dense.kernel'] as Record<string, unknown>)['strides'] = [1]), /tensor 'dense.kernel' has unknown field 'strides'/],
  ];
  for (const [name, edit, pattern] of cases) {
    const file = path.join(dir, `${name}.safetensors`);
    await fs.writeFile(file, withHeader(good, edit));
    await assertModelFileError(loadModel(file), file, pattern);
  }
});

test('the checksum is always checked: a file without one loads only with skipChecksum', async () => {
  const dir = await tempDir('tensile-bad-model-');
  const original = model();
  const good = modelToBytes(original);
  const unchecked = withHeader(good, (h) => delete (h['__metadata__'] as Record<string, unknown>)[CHECKSUM_KEY]);
  const flipped = unchecked.slice();
  flipped[flipped.length - 3]! ^= 0xff;
  const file = path.join(dir, 'foreign.safetensors');
  await fs.writeFile(file, flipped);
  await assertModelFileError(loadModel(file), file, /no 'tensile.crc32' checksum.*skipChecksum/);
  await assertModelFileError(loadWeights(original, file), file, /no 'tensile.crc32' checksum/);
  await loadModel(file, { skipChecksum: true });
  await loadWeights(original, file, { skipChecksum: true });
});

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid!;
}

test('a save removes temp files that dead processes left beside its target, and keeps live ones', async () => {
  const dir = await tempDir('tensile-bad-model-');
  const target = path.join(dir, 'm.safetensors');
  const stale = `.m.safetensors.${deadPid()}.0badf00d.tmp`;
  const live = `.m.safetensors.${process.pid}.0badf00d.tmp`;
  const unrelated = `.other.safetensors.${deadPid()}.0badf00d.tmp`;
  for (const name of [stale, live, unrelated]) await fs.writeFile(path.join(dir, name), 'partial');
  await saveModel(model(), target);
  assert.deepEqual((await fs.readdir(dir)).sort(), [live, unrelated, 'm.safetensors'].sort());
});

test('ModelCheckpoint creates its folder before the first epoch; an impossible folder fails up front naming it', async () => {
  const dir = await tempDir('tensile-bad-model-');
  const m = model();
  m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  const x = tensor([[1, 2, 3], [4, 5, 6]]);
  const y = tensor([[1, 0], [0, 1]]);
  const folder = path.join(dir, 'runs', 'a');
  await m.fit(x, y, { epochs: 1, verbose: 0, callbacks: [new ModelCheckpoint({ filepath: path.join(folder, 'epoch-{epoch}.safetensors') })] });
  assert.deepEqual(await fs.readdir(folder), ['epoch-1.safetensors']);

  const blocker = path.join(dir, 'file');
  await fs.writeFile(blocker, 'not a folder');
  await assertModelFileError(
    m.fit(x, y, { epochs: 1, verbose: 0, callbacks: [new ModelCheckpoint({ filepath: path.join(blocker, 'sub', 'epoch-{epoch}.safetensors') })] }),
    path.join(blocker, 'sub'),
    /cannot create the checkpoint folder/,
  );
});
