import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { decodeTfjsWeights, ModelFileError } from '../../src/index.js';
import { loadTfjsWeights } from '../../src/node.js';
import { tempDir } from 'tensile-test-support';

/** One group of every stored form, written byte by byte as the TF.js converter writes them. */
function sample(): { manifest: unknown; bin: Uint8Array } {
  const bytes: number[] = [];
  const f32 = new Float32Array([1.5, -2.25, 3]);
  bytes.push(...new Uint8Array(f32.buffer));
  bytes.push(0, 128, 255, 10); // uint8, scale 0.5, min -1
  bytes.push(0x34, 0x12, 0xff, 0xff); // uint16 LE 0x1234, 0xffff; scale 0.001, min 2
  bytes.push(0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00); // float16: 1, -2, smallest subnormal
  bytes.push(...new Uint8Array(new Int32Array([-7, 123456]).buffer));
  bytes.push(3, 250); // int32 quantised as uint8: scale 0.4, min -1 → round(0.2), round(99)
  bytes.push(1, 0, 1); // bool
  const manifest = [{
    paths: ['m.bin'],
    weights: [
      { name: 'f32', shape: [3], dtype: 'float32' },
      { name: 'u8', shape: [2, 2], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } },
      { name: 'u16', shape: [2], dtype: 'float32', quantization: { dtype: 'uint16', scale: 0.001, min: 2 } },
      { name: 'f16', shape: [3], dtype: 'float32', quantization: { dtype: 'float16' } },
      { name: 'i32', shape: [2], dtype: 'int32' },
      { name: 'i32q', shape: [2], dtype: 'int32', quantization: { dtype: 'uint8', scale: 0.4, min: -1 } },
      { name: 'b', shape: [3], dtype: 'bool' },
    ],
  }];
  return { manifest, bin: Uint8Array.from(bytes) };
}

function closeTo(actual: ArrayLike<number>, expected: readonly number[]): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i]! - expected[i]!) <= 1e-6 * Math.max(1, Math.abs(expected[i]!)), `[${i}] ${actual[i]} vs ${expected[i]}`);
}

describe('TensorFlow.js weight manifests', () => {
  it('decodes float32, uint8/uint16 affine, float16, int32 (plain and quantised) and bool', () => {
    const { manifest, bin } = sample();
    const w = decodeTfjsWeights(manifest, { 'm.bin': bin }, 'mem');
    assert.deepEqual(Object.keys(w), ['f32', 'u8', 'u16', 'f16', 'i32', 'i32q', 'b']);
    closeTo(w['f32']!.dataSync(), [1.5, -2.25, 3]);
    assert.deepEqual(w['u8']!.shape, [2, 2]);
    closeTo(w['u8']!.dataSync(), [-1, 63, 126.5, 4]);
    closeTo(w['u16']!.dataSync(), [0x1234 * 0.001 + 2, 0xffff * 0.001 + 2]);
    closeTo(w['f16']!.dataSync(), [1, -2, 2 ** -24]);
    assert.equal(w['i32']!.dtype, 'int32');
    assert.deepEqual([...w['i32']!.dataSync()], [-7, 123456]);
    assert.deepEqual([...w['i32q']!.dataSync()], [0, 99]);
    assert.equal(w['b']!.dtype, 'bool');
    assert.deepEqual([...w['b']!.dataSync()], [1, 0, 1]);
  });

  it('reads the weightsManifest of a model.json and concatenates a group split over shards', () => {
    const { manifest, bin } = sample();
    const group = (manifest as { weights: unknown }[])[0]!;
    const w = decodeTfjsWeights({ weightsManifest: [{ paths: ['a', 'b'], weights: group.weights }] }, { a: bin.subarray(0, 5), b: bin.subarray(5) }, 'model.json');
    closeTo(w['f32']!.dataSync(), [1.5, -2.25, 3]);
    assert.deepEqual([...w['i32']!.dataSync()], [-7, 123456]);
  });

  it('refuses a missing shard, a shard of the wrong size, unknown dtypes and malformed entries, naming them', () => {
    const { manifest, bin } = sample();
    const withWeight = (extra: Record<string, unknown>) => [{ paths: ['m.bin'], weights: [{ name: 'x', shape: [1], dtype: 'float32', ...extra }] }];
    assert.throws(() => decodeTfjsWeights(manifest, {}, 'mem'), (e) => e instanceof ModelFileError && /m\.bin: weight shard is missing \(listed in mem\)/.test(e.message));
    assert.throws(() => decodeTfjsWeights(manifest, { 'm.bin': bin.subarray(1) }, 'mem'), /need 39 bytes but the shards hold 38 \(m\.bin: 38 bytes\)/);
    assert.throws(() => decodeTfjsWeights(manifest, { 'm.bin': Uint8Array.from([...bin, 0]) }, 'mem'), /need 39 bytes but the shards hold 40/);
    assert.throws(() => decodeTfjsWeights(withWeight({ dtype: 'string' }), { 'm.bin': bin }, 'mem'), /tensor 'x' has dtype "string"; supported: float32, int32, bool/);
    assert.throws(() => decodeTfjsWeights(withWeight({ quantization: { dtype: 'int8', scale: 1, min: 0 } }), { 'm.bin': bin }, 'mem'), /tensor 'x' is quantised as "int8"/);
    assert.throws(() => decodeTfjsWeights(withWeight({ quantization: { dtype: 'uint8' } }), { 'm.bin': bin }, 'mem'), /tensor 'x' is quantised as uint8 without a finite scale and min/);
    assert.throws(() => decodeTfjsWeights(withWeight({ shape: [2, -1] }), { 'm.bin': bin }, 'mem'), /tensor 'x' has an invalid shape \[2,-1\]/);
    assert.throws(() => decodeTfjsWeights({ format: 'graph-model' }, {}, 'model.json'), /model\.json: not a TensorFlow\.js weights manifest/);
    const twice = [{ paths: ['m.bin'], weights: [{ name: 'x', shape: [1], dtype: 'float32' }, { name: 'x', shape: [1], dtype: 'float32' }] }];
    assert.throws(() => decodeTfjsWeights(twice, { 'm.bin': new Uint8Array(8) }, 'mem'), /tensor 'x' is listed twice/);
  });

  it('loads a manifest and its shards from disk; a missing shard file or bad JSON is named', async () => {
    const dir = await tempDir('tensile-tfjs-');
    const { manifest, bin } = sample();
    const file = path.join(dir, 'net-weights_manifest.json');
    await fs.writeFile(file, JSON.stringify(manifest));
    await fs.writeFile(path.join(dir, 'm.bin'), bin);
    const w = await loadTfjsWeights(file);
    closeTo(w['u8']!.dataSync(), [-1, 63, 126.5, 4]);
    await fs.rm(path.join(dir, 'm.bin'));
    await assert.rejects(loadTfjsWeights(file), (e) => e instanceof ModelFileError && e.file === path.join(dir, 'm.bin') && /missing/.test(e.message));
    await fs.writeFile(file, '[{"paths": [');
    await assert.rejects(loadTfjsWeights(file), /net-weights_manifest\.json: not valid JSON/);
    await assert.rejects(loadTfjsWeights(path.join(dir, 'nope.json')), /nope\.json: the weights manifest is missing/);
  });
});
